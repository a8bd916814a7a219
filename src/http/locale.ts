import type { RequestHandler, Router } from 'express';
import express from 'express';
import { DEFAULT_LANG, isLang, translate, type Lang } from '../i18n';
import { formatCompact, formatDate, formatDateTime, formatNumber, utcToZonedLocal } from '../i18n/format';
import { safeReturnPath } from './auth';

export const LANG_COOKIE = 'lang';

declare module 'express-serve-static-core' {
  interface Request {
    lang: Lang;
    t: (key: string, params?: Record<string, string | number>) => string;
  }
}

/** Picks the language (cookie, else Vietnamese) and gives views their helpers. */
export function localeMiddleware(defaultTimeZone: string): RequestHandler {
  // The helpers depend only on the language: made once per language, not per request.
  const helpersFor = (lang: Lang) => ({
    t: (key: string, params?: Record<string, string | number>) => translate(lang, key, params),
    fmt: Object.freeze({
      number: (n: number) => formatNumber(n, lang),
      compact: (n: number) => formatCompact(n, lang),
      dateTime: (d: Date | string | null, tz = defaultTimeZone) => formatDateTime(d, tz, lang),
      date: (d: Date | string | null, tz = defaultTimeZone) => formatDate(d, tz, lang),
      localInput: (d: Date | string | null, tz = defaultTimeZone) => utcToZonedLocal(d, tz),
    }),
  });
  const helpers: Record<Lang, ReturnType<typeof helpersFor>> = { vi: helpersFor('vi'), en: helpersFor('en') };
  return (req, res, next) => {
    const fromCookie = (req.cookies as Record<string, string> | undefined)?.[LANG_COOKIE];
    const lang: Lang = isLang(fromCookie) ? fromCookie : DEFAULT_LANG;
    const { t, fmt } = helpers[lang];
    req.lang = lang;
    req.t = t;
    res.locals.lang = lang;
    res.locals.t = t;
    res.locals.fmt = fmt;
    res.locals.currentPath = req.originalUrl;
    next();
  };
}

export function languageRouter(secureCookies: boolean): Router {
  const r = express.Router();
  r.get('/lang/:code', (req, res) => {
    const code = req.params.code;
    if (isLang(code)) {
      res.cookie(LANG_COOKIE, code, { maxAge: 365 * 86400_000, httpOnly: true, sameSite: 'lax', secure: secureCookies });
    }
    res.redirect(303, safeReturnPath(req.query.next ?? '/'));
  });
  return r;
}
