import express from 'express';
import type { FeatureDeps } from '../features';
import { requireOrganiser } from '../http/auth';
import { requireCsrf } from '../http/csrf';
import { acceptUpload } from '../storage/upload';
import { uploadStore } from '../storage/store';
import { metricsHandlers } from './handlers';

/** Engagement metrics: imports, the campaign dashboard, people's choice, public totals. */
export function metricsRoutes(deps: FeatureDeps): express.Router {
  const pool = deps.db.pool;
  const h = metricsHandlers(pool, deps.config.uploadDir);
  const upload = acceptUpload({ store: uploadStore(deps.config.uploadDir), field: 'file', kinds: ['csv', 'xlsx'], maxBytes: 100 * 1024 * 1024, maxFields: 5 });
  const r = express.Router();
  const base = '/organiser/contests/:slug';
  r.get(`${base}/dashboard`, requireOrganiser, h.dashboard);
  r.get(`${base}/dashboard/export`, requireOrganiser, h.exportDashboard);
  r.get(`${base}/dashboard/posted`, requireOrganiser, h.posted);
  r.get(`${base}/metrics`, requireOrganiser, h.imports);
  r.post(`${base}/metrics/imports`, requireOrganiser, upload, requireCsrf, h.upload);
  r.post(`${base}/metrics/imports/pending/:token`, requireOrganiser, h.start);
  r.get(`${base}/metrics/jobs/:job`, requireOrganiser, h.job);
  r.get(`${base}/metrics/imports/:id`, requireOrganiser, h.report);
  r.get(`${base}/metrics/imports/:id/report`, requireOrganiser, h.reportCsv);
  r.get(`${base}/metrics/entries/:code`, requireOrganiser, h.entryForm);
  r.post(`${base}/metrics/entries/:code`, requireOrganiser, h.saveEntry);
  r.get(`${base}/peoples-choice`, requireOrganiser, h.peoplesChoice);
  r.post(`${base}/peoples-choice/:tier`, requireOrganiser, h.saveRule);
  r.get('/c/:slug/stats', h.publicStats);
  return r;
}
