import type { NextFunction, Request, RequestHandler, Response } from 'express';
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { Pool } from 'pg';
import type { Config } from '../config';
import { findUserById, type Role } from '../accounts/queries';
import type { SessionUser } from '../accounts/policy';
import { authenticate, toSessionUser } from '../accounts/service';
import { ForbiddenError, UnauthenticatedError } from './errors';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends SessionUser {}
  }
}

declare module 'express-session' {
  interface SessionData {
    createdAt?: number;
    returnTo?: string;
    flash?: { kind: 'success' | 'error' | 'info'; text: string }[];
  }
}

/** A Passport instance per app, so two apps in one process (tests) do not share strategies. */
export function createPassport(pool: Pool, config: Config): passport.PassportStatic {
  const p = new passport.Passport() as unknown as passport.PassportStatic;
  p.use(
    new LocalStrategy({ usernameField: 'email', passwordField: 'password', passReqToCallback: true }, (req, email, password, done) => {
      authenticate(pool, email.trim().toLowerCase(), password, req.ip ?? 'unknown', {
        maxFailures: config.LOGIN_MAX_FAILURES,
        windowMinutes: config.LOGIN_WINDOW_MINUTES,
      }).then((user) => done(null, user ?? false), done);
    }),
  );
  p.serializeUser((user, done) => done(null, user.id));
  // Loaded on every request so that a disabled account or a changed role takes effect at once.
  p.deserializeUser((id: number, done) => {
    findUserById(pool, id).then((u) => done(null, u && !u.disabled_at ? toSessionUser(u) : false), done);
  });
  return p;
}

/** Sessions older than the absolute limit are ended, however active they were. */
export function absoluteSessionLimit(hours: number): RequestHandler {
  const limitMs = hours * 3600_000;
  return (req, _res, next) => {
    const s = req.session;
    if (!s) return next();
    if (s.createdAt && Date.now() - s.createdAt > limitMs) {
      // A fresh, empty session replaces the old one (which the store deletes): the request goes
      // on as anonymous, so a staff page redirects to login instead of failing.
      return s.regenerate((err) => next(err));
    }
    next();
  };
}

function wantsJson(req: Request): boolean {
  return req.originalUrl.startsWith('/api/') || (req.accepts(['html', 'json']) === 'json');
}

export function requireRole(...roles: Role[]): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!req.user) {
      if (!wantsJson(req) && req.method === 'GET' && req.session) {
        req.session.returnTo = req.originalUrl;
        // Saved before redirecting: express-session sends the 303's headers before its own save
        // lands, and a fast browser's GET /login could otherwise read (and then overwrite) the
        // session without returnTo, landing the user on /staff after signing in.
        return req.session.save((err) => (err ? next(err) : res.redirect(303, '/login')));
      }
      return next(new UnauthenticatedError());
    }
    // Admins hold every staff permission.
    if (req.user.role === 'admin' || roles.includes(req.user.role)) return next();
    next(new ForbiddenError());
  };
}

export const requireStaff = requireRole('admin', 'organiser', 'judge');
export const requireOrganiser = requireRole('organiser');
export const requireAdmin = requireRole('admin');

export function currentUser(req: Request): SessionUser {
  if (!req.user) throw new UnauthenticatedError();
  return req.user;
}

/** A safe place to go back to after login: a local path only, never another site. */
export function safeReturnPath(p: unknown): string {
  if (typeof p !== 'string' || !p.startsWith('/') || p.startsWith('//') || p.startsWith('/\\')) return '/staff';
  return p;
}
