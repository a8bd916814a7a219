import type { Request, Response } from 'express';
import { loadContestForOrganiser } from '../contests/access';
import { NotFoundError } from '../http/errors';
import { render } from '../http/render';
import { findStoredFile, sendStoredFile } from '../storage/files';
import { contestOf, type EntriesDeps } from './handlers';
import * as q from './queries';
import { galleryQuerySchema, organiserListSchema } from './schemas';

const GALLERY_PAGE = 24;
const ORGANISER_PAGE = 50;

/** Keyset cursor: the last item's sort key and id, opaque to clients. */
export function encodeCursor(item: { created_at: Date; id: number; views?: string | number }, sort: 'newest' | 'views'): string {
  const key = sort === 'views' ? String(item.views ?? 0) : item.created_at.toISOString();
  return Buffer.from(`${sort}|${key}|${item.id}`).toString('base64url');
}
export function decodeCursor(s: string, sort: 'newest' | 'views'): { key: string; id: number } | null {
  if (!s) return null;
  const [kind, key, id] = Buffer.from(s, 'base64url').toString().split('|');
  const n = Number(id);
  if (kind !== sort || !key || !Number.isSafeInteger(n)) return null;
  if (sort === 'views' ? !/^[0-9]{1,19}$/.test(key) : Number.isNaN(new Date(key).getTime())) return null;
  return { key, id: n };
}

/** Only what contest.public_fields allows next to the display name; never phone, email or ID. */
function publicItem(item: q.GalleryItem, publicFields: string[]) {
  return {
    code: item.code,
    title: item.title,
    videoId: item.video_id,
    displayName: publicFields.includes('displayName') ? item.display_name : null,
    organisation: publicFields.includes('organisation') ? item.organisation : null,
    province: publicFields.includes('province') ? item.province : null,
    category: item.category_name,
    createdAt: item.created_at,
  };
}

export function browseHandlers(d: EntriesDeps) {
  const loadGallery = async (req: Request, res: Response) => {
    const contest = contestOf(res);
    const f = galleryQuerySchema.parse(req.query);
    const items = await q.galleryPage(d.pool, contest.id, { search: q.foldSearch(f.q), categoryId: f.category, sort: f.sort, after: decodeCursor(f.cursor, f.sort), limit: GALLERY_PAGE + 1 });
    const more = items.length > GALLERY_PAGE;
    const page = items.slice(0, GALLERY_PAGE);
    const last = page[page.length - 1];
    return { contest, f, items: page.map((i) => publicItem(i, contest.public_fields)), next: more && last ? encodeCursor(last, f.sort) : null };
  };

  return {
    gallery: async (req: Request, res: Response) => {
      const g = await loadGallery(req, res);
      const categories = await q.categoryIdsOf(d.pool, g.contest.id);
      const nextQuery = g.next ? new URLSearchParams({ q: g.f.q, category: g.f.category ? String(g.f.category) : '', sort: g.f.sort, cursor: g.next }).toString() : null;
      await render(res, 'entries/gallery', { title: req.t('entries.gallery.title'), contest: g.contest, items: g.items, f: g.f, categories, nextQuery, styles: ['entries.css'], scripts: ['entries-gallery.js'] });
    },

    apiGallery: async (req: Request, res: Response) => {
      const g = await loadGallery(req, res);
      res.json({ items: g.items, nextCursor: g.next });
    },

    galleryEntry: async (req: Request, res: Response) => {
      const contest = contestOf(res);
      const item = await q.galleryEntry(d.pool, contest.id, String(req.params.code).toUpperCase());
      if (!item) throw new NotFoundError('entry_not_found');
      const pub = publicItem(item, contest.public_fields);
      await render(res, 'entries/galleryEntry', {
        title: `${item.title} · ${contest.title}`,
        contest,
        item: { ...pub, description: item.description },
        meta: { title: item.title, description: item.description.slice(0, 200) || contest.title, type: 'video.other', url: `${d.config.PUBLIC_URL ?? ''}/c/${contest.slug}/gallery/${item.code}`, image: item.thumbnail_url },
        styles: ['entries.css'],
        scripts: ['entries-gallery.js'],
      });
    },

    organiserList: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(d.pool, String(req.params.slug));
      const f = organiserListSchema.parse(req.query);
      const { items, total } = await q.organiserEntries(d.pool, contest.id, { search: f.q, status: f.status, link: f.link, hashtag: f.hashtag, limit: ORGANISER_PAGE, offset: (f.page - 1) * ORGANISER_PAGE });
      const pages = Math.max(1, Math.ceil(total / ORGANISER_PAGE));
      const pageQuery = (p: number) => new URLSearchParams({ q: f.q, status: f.status, link: f.link, hashtag: f.hashtag, page: String(p) }).toString();
      await render(res, 'entries/organiserList', { title: req.t('entries.org.title', { contest: contest.title }), contest, items, total, f, pages, pageQuery, styles: ['entries.css'] });
    },

    organiserEntry: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(d.pool, String(req.params.slug));
      const entry = await q.findEntryByCode(d.pool, contest.id, String(req.params.code).toUpperCase());
      if (!entry) throw new NotFoundError('entry_not_found');
      const entrant = await q.findEntrant(d.pool, entry.entrant_id);
      const file = entry.video_file_id ? await findStoredFile(d.pool, entry.video_file_id) : undefined;
      await render(res, 'entries/organiserEntry', { title: entry.code, contest, entry, entrant, file, styles: ['entries.css'] });
    },

    organiserVideo: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(d.pool, String(req.params.slug));
      const entry = await q.findEntryByCode(d.pool, contest.id, String(req.params.code).toUpperCase());
      const file = entry?.video_file_id ? await findStoredFile(d.pool, entry.video_file_id) : undefined;
      if (!file) throw new NotFoundError('file_not_found');
      await sendStoredFile(req, res, d.store, file, { download: req.query.download === '1' });
    },

    outbox: async (req: Request, res: Response) => {
      const page = Math.max(1, Math.min(10000, Number(req.query.page) || 1));
      const mails = await q.outboxPage(d.pool, 51, (page - 1) * 50);
      await render(res, 'entries/outbox', { title: req.t('entries.outbox.title'), mails: mails.slice(0, 50), page, hasNext: mails.length > 50, smtp: Boolean(d.config.SMTP_URL), styles: ['entries.css'] });
    },
  };
}
