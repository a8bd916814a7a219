import express from 'express';
import { requireCsrf, isMultipart } from '../http/csrf';
import { acceptUpload } from '../storage/upload';
import type { RequestHandler } from 'express';
import { entryHandlers, contestOf, maxUploadBytes, type EntriesDeps } from './handlers';

const VIDEO_KINDS = ['mp4', 'mov', 'webm'] as const;

/** Entry submission, receipt, the entrant's own page, the gallery and the organiser's entry list. */
export function entryRoutes(d: EntriesDeps): express.Router {
  const h = entryHandlers(d);
  const r = express.Router();
  const upload = acceptUpload({ store: d.store, field: 'video', kinds: VIDEO_KINDS, maxBytes: (req) => maxUploadBytes(d.config, contestOf(req.res as express.Response)), maxFields: 40 });
  const uploadIfMultipart: RequestHandler = (req, res, next) => (isMultipart(req) ? upload(req, res, next) : next());

  r.get('/c/:slug/submit', h.loadContest, h.submitForm);
  r.post('/c/:slug/submit', h.loadContest, upload, requireCsrf, h.submit);
  r.get('/c/:slug/receipt/:code', h.loadContest, h.receipt);
  r.post('/api/v1/contests/:slug/entries', h.loadContest, uploadIfMultipart, h.apiSubmit);
  return r;
}
