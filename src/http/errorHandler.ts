import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { MulterError } from 'multer';
import { DbUnavailableError } from '../db';
import { DbBadInputError } from '../db/errors';
import { DEFAULT_LANG, translate } from '../i18n';
import type { Logger } from '../shared/logger';
import { AppError, NotFoundError, PayloadTooLargeError, ServiceUnavailableError, TooManyRequestsError, UnauthenticatedError, ValidationError } from './errors';

function isApi(req: Request): boolean {
  return req.originalUrl.startsWith('/api/');
}

/** Turns the errors of libraries into our typed ones, so the handler below has one vocabulary. */
function normalise(err: unknown): unknown {
  if (err instanceof AppError) return err;
  if (err instanceof DbUnavailableError) return new ServiceUnavailableError();
  if (err instanceof DbBadInputError) return new ValidationError({ _form: 'form.controlChars' });
  if (err instanceof MulterError) {
    if (err.code === 'LIMIT_FILE_SIZE') return new PayloadTooLargeError();
    return new ValidationError({ [err.field ?? '_form']: 'form.invalid' });
  }
  const e = err as { code?: string; type?: string; status?: number };
  if (e?.code === 'EBADCSRFTOKEN' || (e?.status === 403 && /csrf/i.test(String((err as Error).message)))) {
    return new AppError(403, 'invalid_csrf', 'error.csrf');
  }
  if (e?.type === 'entity.too.large') return new PayloadTooLargeError();
  // body-parser's parameterLimit (a form with hundreds of repeated fields): too large, not a crash.
  if (e?.type === 'parameters.too.many') return new PayloadTooLargeError('error.tooManyFields');
  if (e?.type === 'entity.parse.failed' || e?.type === 'encoding.unsupported') return new ValidationError({ _body: 'form.invalid' });
  if (e?.status === 400 && err instanceof Error && /multipart|boundary|unexpected end/i.test(err.message)) {
    return new ValidationError({ _body: 'form.invalid' });
  }
  // busboy (under multer) reports a broken multipart body with a plain Error and no status.
  if (err instanceof Error && /^(Multipart: Boundary not found|Malformed part header|Unexpected end of (form|file)|Part terminated early)$/.test(err.message)) {
    return new ValidationError({ _body: 'form.invalid' });
  }
  return err;
}

/**
 * A body the parser refused fails before the language middleware has run: the error page still
 * needs a translator and the layout's locals (no user, no flash) to render.
 */
function ensureLocals(req: Request, res: Response): void {
  if (typeof req.t === 'function') return;
  req.lang = DEFAULT_LANG;
  req.t = (key, params) => translate(DEFAULT_LANG, key, params);
  Object.assign(res.locals, { lang: DEFAULT_LANG, t: req.t, currentPath: req.originalUrl, user: undefined, takeFlash: () => [], csrfToken: () => '' });
}

export const notFoundHandler: RequestHandler = (_req, _res, next) => next(new NotFoundError());

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (rawErr, req, res, _next) => {
    const err = normalise(rawErr);
    ensureLocals(req, res);
    const requestId = String(req.id ?? '');
    if (res.headersSent) {
      logger.error({ err: rawErr, requestId }, 'error after the response started');
      res.destroy();
      return;
    }
    if (err instanceof UnauthenticatedError && !isApi(req) && req.method === 'GET') {
      return res.redirect(303, '/login');
    }
    if (err instanceof AppError) {
      if (err instanceof TooManyRequestsError) res.set('Retry-After', String(err.retryAfterSeconds));
      if (err.status >= 500) logger.warn({ code: err.code, requestId }, 'service unavailable');
      if (isApi(req)) {
        const body: Record<string, unknown> = { error: err.code };
        if (err instanceof ValidationError) {
          body.errors = Object.fromEntries(Object.entries(err.fieldErrors).map(([k, v]) => [k, req.t ? req.t(v) : v]));
        }
        return res.status(err.status).json(body);
      }
      return res.status(err.status).render('errors/error', { status: err.status, message: req.t(err.messageKey, err.params), requestId }, (renderErr: Error | null, html?: string) => {
        if (renderErr) return res.status(err.status).type('text').send(req.t(err.messageKey, err.params));
        res.render('layout', { title: req.t('error.title'), body: html }, (layoutErr: Error | null, page?: string) => {
          res.status(err.status).type('html').send(layoutErr ? html : page);
        });
      });
    }
    logger.error({ err: rawErr, requestId, url: req.originalUrl }, 'unhandled error');
    if (isApi(req)) return res.status(500).json({ error: 'internal_error', requestId });
    const message = req.t ? req.t('error.500', { id: requestId }) : `Internal error ${requestId}`;
    res.status(500).render('errors/error', { status: 500, message, requestId }, (renderErr: Error | null, html?: string) => {
      if (renderErr) return res.status(500).type('text').send(message);
      res.render('layout', { title: req.t ? req.t('error.title') : 'Error', body: html }, (layoutErr: Error | null, page?: string) => {
        res.status(500).type('html').send(layoutErr ? html : page);
      });
    });
  };
}
