import type { Request, RequestHandler } from 'express';
import { csrfSync } from 'csrf-sync';

const { csrfSynchronisedProtection, generateToken } = csrfSync({
  getTokenFromRequest: (req: Request) => {
    const body = req.body as Record<string, unknown> | undefined;
    const fromBody = body && typeof body._csrf === 'string' ? body._csrf : undefined;
    const header = req.headers['x-csrf-token'];
    return fromBody ?? (typeof header === 'string' ? header : undefined);
  },
});

export function isMultipart(req: Request): boolean {
  return (req.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data');
}

/**
 * Every state-changing request is checked, with two exceptions:
 * - multipart bodies, whose `_csrf` field exists only after multer has parsed them: those routes
 *   put `requireCsrf` right after their upload middleware;
 * - anonymous calls to the public JSON API, which carry no ambient authority to abuse.
 */
export const csrfMiddleware: RequestHandler = (req, res, next) => {
  if (isMultipart(req)) return next();
  if (req.originalUrl.startsWith('/api/') && !req.user) return next();
  return csrfSynchronisedProtection(req, res, next);
};

/** For routes that parse multipart bodies: run after multer. */
export const requireCsrf: RequestHandler = (req, res, next) => csrfSynchronisedProtection(req, res, next);

export function csrfTokenFor(req: Request): string {
  return generateToken(req);
}
