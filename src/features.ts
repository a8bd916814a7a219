import type express from 'express';
import type passport from 'passport';
import type { AppDeps } from './app';
import { accountRoutes } from './accounts/routes';
import { homeRoutes } from './home/routes';
import { resultsRoutes } from './results/routes';

export interface FeatureDeps extends AppDeps {
  passport: passport.PassportStatic;
}

/**
 * Every feature's router, mounted in this order after the shared middleware. A feature adds
 * one line here; its routes file says what it serves.
 */
export function mountFeatures(app: express.Express, deps: FeatureDeps): void {
  app.use(homeRoutes(deps.db.pool));
  app.use(accountRoutes(deps.db.pool, deps.passport));
  app.use(resultsRoutes(deps.db.pool));
}
