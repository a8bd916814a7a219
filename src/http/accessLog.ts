import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from '../shared/logger';

declare module 'http' {
  interface IncomingMessage {
    /** This request's id: the caller's X-Request-Id when it looks like one, else a new UUID. */
    id: string;
  }
}

const CALLER_ID = /^[\w-]{8,64}$/;

/**
 * Request id and access log: one line per answer with the method, the path without its query,
 * the status and the time taken. No bodies, no cookies, no query strings: personal data stays out
 * of logs. (pino-http did the same with two child loggers built for every request, which showed
 * in the submit path's profile; this builds the line only when it is written.)
 */
export function accessLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && CALLER_ID.test(incoming) ? incoming : randomUUID();
    req.id = id;
    res.setHeader('X-Request-Id', id);
    if (req.url === '/healthz' || req.url.startsWith('/static/') || !logger.isLevelEnabled('info')) return next();
    const start = performance.now();
    res.once('close', () => {
      const line = {
        req: { id, method: req.method, url: req.originalUrl.split('?')[0] },
        res: { statusCode: res.statusCode },
        responseTime: Math.round(performance.now() - start),
      };
      if (!res.writableFinished) logger.warn(line, 'request aborted');
      else if (res.statusCode >= 500) logger.error(line, 'request errored');
      else logger.info(line, 'request completed');
    });
    next();
  };
}
