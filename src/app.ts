import compression from 'compression';
import connectPgSimple from 'connect-pg-simple';
import cookieParser from 'cookie-parser';
import express from 'express';
import session from 'express-session';
import helmet from 'helmet';
import { throttleTouches } from './http/sessionTouch';
import type { Config } from './config';
import type { Db } from './db';
import { healthRoutes } from './health/routes';
import { mountFeatures } from './features';
import { accessLog } from './http/accessLog';
import { absoluteSessionLimit, createPassport } from './http/auth';
import { csrfMiddleware, csrfTokenFor } from './http/csrf';
import { errorHandler, notFoundHandler } from './http/errorHandler';
import { languageRouter, localeMiddleware } from './http/locale';
import { PUBLIC_DIR, VIEWS_DIR } from './paths';
import type { Logger } from './shared/logger';

export interface AppDeps {
  config: Config;
  db: Db;
  logger: Logger;
  sessionSecret: string;
  /** Session pruning runs a timer; tests turn it off so nothing outlives them. */
  pruneSessions?: boolean;
}

export const SESSION_COOKIE = 'clipjury.sid';

function isAnonymousApiCall(req: express.Request): boolean {
  return req.path.startsWith('/api/') && !(req.headers.cookie ?? '').includes(`${SESSION_COOKIE}=`);
}

/** Builds the whole middleware chain without listening, so tests drive exactly what users get. */
export function createApp(deps: AppDeps): express.Express {
  const { config, db, logger } = deps;
  const app = express();
  app.set('trust proxy', config.TRUST_PROXY);
  app.set('view engine', 'ejs');
  app.set('views', VIEWS_DIR);
  // Compiled templates are kept when the configuration says production (Express alone looks only at process.env).
  app.set('view cache', config.NODE_ENV === 'production');
  app.disable('x-powered-by');
  const secureCookies = Boolean(config.PUBLIC_URL?.startsWith('https://'));

  // 1. Request id and access log (no bodies, no cookies: personal data stays out of logs).
  app.use(accessLog(logger));

  // 2. Security headers: our own origin only, plus TikTok's player frame.
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          // Style attributes only (progress bars, chart widths); style elements and scripts stay 'self'.
          styleSrcAttr: ["'unsafe-inline'"],
          imgSrc: ["'self'", 'data:', 'https://*.tiktokcdn.com', 'https://*.tiktokcdn-us.com'],
          mediaSrc: ["'self'"],
          frameSrc: ['https://www.tiktok.com'],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          objectSrc: ["'none'"],
          upgradeInsecureRequests: secureCookies ? [] : null,
        },
      },
      crossOriginEmbedderPolicy: false,
      strictTransportSecurity: secureCookies,
    }),
  );
  // API answers to POSTs are a few hundred bytes of JSON: nothing to gain from wrapping them.
  const compress = compression();
  app.use((req, res, next) => (req.method === 'POST' && req.path.startsWith('/api/') ? next() : compress(req, res, next)));

  // 3. Our own static assets (no CDN: the portal must work offline).
  app.use('/static', express.static(PUBLIC_DIR, { maxAge: config.NODE_ENV === 'production' ? '7d' : 0, index: false }));
  app.get('/favicon.ico', (_req, res) => res.redirect(301, '/static/favicon.svg'));
  app.use(healthRoutes(db.pool));

  // 4. Bodies, cookies, sessions, identity, CSRF, language.
  app.use(express.urlencoded({ extended: false, limit: '200kb', parameterLimit: 200 }));
  app.use(express.json({ limit: '200kb' }));
  app.use(cookieParser());
  const PgStore = connectPgSimple(session);
  const store = new PgStore({
    pool: db.pool,
    tableName: 'session',
    createTableIfMissing: false,
    pruneSessionInterval: deps.pruneSessions === false ? false : 15 * 60,
  });
  throttleTouches(store);
  app.locals.sessionStore = store;
  const sessions = session({
      name: SESSION_COOKIE,
      secret: deps.sessionSecret,
      store,
      resave: false,
      saveUninitialized: false,
      rolling: true,
      cookie: {
        httpOnly: true,
        sameSite: 'lax',
        secure: secureCookies ? true : 'auto',
        maxAge: config.SESSION_IDLE_MINUTES * 60_000,
      },
    });
  const pp = createPassport(db.pool, config);
  const identity = express.Router();
  identity.use(sessions, absoluteSessionLimit(config.SESSION_ABSOLUTE_HOURS), pp.initialize(), pp.session());
  // An API call without the session cookie has no session to load and none worth starting:
  // skipping these saves the public submit path a session id and the hooks on every answer.
  app.use((req, res, next) => (isAnonymousApiCall(req) ? next() : identity(req, res, next)));
  app.use(localeMiddleware(config.DEFAULT_TIME_ZONE));
  app.use(csrfMiddleware);
  app.use((req, res, next) => {
    // Dynamic pages carry CSRF tokens and, for staff and entrants, personal data: no cache keeps
    // them. A handler that serves something public and stable may set its own header.
    res.set('Cache-Control', 'private, no-store');
    res.locals.user = req.user;
    res.locals.csrfToken = () => csrfTokenFor(req);
    res.locals.takeFlash = () => {
      const f = req.session?.flash ?? [];
      if (req.session?.flash) delete req.session.flash;
      return f;
    };
    res.locals.engine = db.engine;
    next();
  });

  // 5. Features.
  app.use(languageRouter(secureCookies));
  mountFeatures(app, { ...deps, passport: pp });

  // 6. Nothing matched; then the one error handler.
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
