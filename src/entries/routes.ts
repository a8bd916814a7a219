import express from 'express';
import { requireCsrf, isMultipart } from '../http/csrf';
import { acceptUpload } from '../storage/upload';
import type { RequestHandler } from 'express';
import { requireOrganiser } from '../http/auth';
import { browseHandlers } from './browse';
import { selfServiceHandlers } from './selfService';
import { entryHandlers, contestOf, maxUploadBytes, type EntriesDeps } from './handlers';

const VIDEO_KINDS = ['mp4', 'mov', 'webm'] as const;

/** Entry submission, receipt, the entrant's own page, the gallery and the organiser's entry list. */
export function entryRoutes(d: EntriesDeps): express.Router {
  const h = entryHandlers(d);
  const r = express.Router();
  const upload = acceptUpload({ store: d.store, field: 'video', kinds: VIDEO_KINDS, maxBytes: (req) => maxUploadBytes(d.config, contestOf(req.res as express.Response)), maxFields: 40 });
  const uploadIfMultipart: RequestHandler = (req, res, next) => (isMultipart(req) ? upload(req, res, next) : next());

  r.get('/c/:slug/submit', h.loadContest, h.submitForm);
  r.post('/c/:slug/submit', h.loadContestForSubmit, upload, requireCsrf, h.submit);
  r.get('/c/:slug/receipt/:code', h.loadContest, h.receipt);
  r.post('/api/v1/contests/:slug/entries', h.loadContestForSubmit, uploadIfMultipart, h.apiSubmit);
  const my = selfServiceHandlers(d);
  r.get('/c/:slug/my', h.loadContest, my.lookupForm);
  r.post('/c/:slug/my', h.loadContest, my.lookup);
  r.get('/c/:slug/my/:code', h.loadContest, my.show);
  r.post('/c/:slug/my/:code', h.loadContest, my.correct);
  r.post('/c/:slug/my/:code/details', h.loadContest, my.correctDetails);
  r.post('/c/:slug/my/:code/withdraw', h.loadContest, my.withdraw);
  r.post('/c/:slug/my/:code/video', h.loadContest, upload, requireCsrf, my.replaceFile);
  r.post('/c/:slug/my-link', h.loadContest, my.requestLink);
  // The token travels in the query string and the form body, never in a path: logs keep paths only.
  r.get('/c/:slug/my-link', h.loadContest, my.linkPage);
  r.post('/c/:slug/my-link/use', h.loadContest, my.useLink);
  const b = browseHandlers(d);
  // The public gallery shows eligible entries only; a contest copy up to two seconds old is fine for it.
  r.get('/c/:slug/gallery', h.loadContestRecent, b.gallery);
  r.get('/c/:slug/gallery/:code', h.loadContestRecent, b.galleryEntry);
  r.get('/api/v1/contests/:slug/entries', h.loadContestRecent, b.apiGallery);
  r.get('/organiser/contests/:slug/entries', requireOrganiser, b.organiserList);
  r.get('/organiser/contests/:slug/entries/:code', requireOrganiser, b.organiserEntry);
  r.get('/organiser/contests/:slug/entries/:code/video', requireOrganiser, b.organiserVideo);
  r.get('/organiser/outbox', requireOrganiser, b.outbox);
  return r;
}
