import express from 'express';
import type { Pool } from 'pg';
import type { Config } from '../config';
import { requireOrganiser } from '../http/auth';
import { requireCsrf } from '../http/csrf';
import { acceptUpload } from '../storage/upload';
import { uploadStore } from '../storage/store';
import { BANNER_MAX_BYTES, contestHandlers } from './handlers';

export function contestRoutes(pool: Pool, config: Config): express.Router {
  const store = uploadStore(config.uploadDir);
  const h = contestHandlers(pool, config, store);
  const r = express.Router();
  // Organisers (admins too): set-up and lifecycle. "Quản lý" in the menu starts at the contests.
  r.get('/manage', requireOrganiser, (_req, res) => res.redirect(303, '/organiser/contests'));
  r.get('/organiser/contests', requireOrganiser, h.list);
  r.get('/organiser/contests/new', requireOrganiser, h.newForm);
  r.post('/organiser/contests', requireOrganiser, h.create);
  r.get('/organiser/contests/:id/edit', requireOrganiser, h.editForm);
  r.post('/organiser/contests/:id', requireOrganiser, h.update);
  r.post('/organiser/contests/:id/state', requireOrganiser, h.changeState);
  r.post(
    '/organiser/contests/:id/banner',
    requireOrganiser,
    acceptUpload({ store, field: 'banner', kinds: ['png', 'jpeg', 'webp'], maxBytes: BANNER_MAX_BYTES, maxFields: 5 }),
    requireCsrf,
    h.uploadBanner,
    h.bannerError,
  );
  // The public site and its JSON.
  r.get('/c/:slug', h.page);
  r.get('/c/:slug/rules', h.rules);
  r.get('/c/:slug/banner', h.banner);
  r.get('/api/v1/contests', h.apiList);
  r.get('/api/v1/contests/:slug', h.apiShow);
  return r;
}
