import express from 'express';
import type { Pool } from 'pg';
import { render } from '../http/render';
import { contestPhase } from '../contests/phase';
import { countPublicContests, listPublicContests } from '../contests/queries';
import { contestCounters } from '../contests/service';

const PAGE_SIZE = 12;

/** The public front page: contests the public may see, the open ones first. */
export function homeRoutes(pool: Pool): express.Router {
  const r = express.Router();
  r.get('/', async (req, res) => {
    const p = Number(req.query.page);
    const page = Number.isSafeInteger(p) && p >= 1 && p <= 10_000 ? p : 1;
    const now = new Date();
    const [list, total] = await Promise.all([listPublicContests(pool, now, PAGE_SIZE, (page - 1) * PAGE_SIZE), countPublicContests(pool)]);
    await render(res, 'home/index', {
      title: req.t('home.title'),
      styles: ['contests.css'],
      contests: await Promise.all(list.map(async (c) => ({ ...c, phase: contestPhase(c, now), entry_count: (await contestCounters(pool, c)).entryCount }))),
      page,
      pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
    });
  });
  return r;
}
