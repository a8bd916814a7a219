import type express from 'express';
import type passport from 'passport';
import type { AppDeps } from './app';
import { accountRoutes } from './accounts/routes';
import { homeRoutes } from './home/routes';
import { contestRoutes } from './contests/routes';
import { entryRoutes } from './entries/routes';
import { uploadStore } from './storage/store';
import { judgingRoutes } from './judging/routes';
import { metricsRoutes } from './metrics/routes';
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
  app.use(contestRoutes(deps.db.pool, deps.config));
  app.use(entryRoutes({ pool: deps.db.pool, config: deps.config, store: uploadStore(deps.config.uploadDir), secret: deps.sessionSecret }));
  app.use(judgingRoutes(deps.db.pool, deps.config));
  app.use(metricsRoutes(deps));
  app.use(resultsRoutes(deps.db.pool));
}
