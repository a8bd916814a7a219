import express from 'express';
import type { Pool } from 'pg';
import { rows } from '../db';
import { render } from '../http/render';

interface HomeContest {
  slug: string;
  title: string;
  summary: string;
  hashtags: string[];
  closes_at: Date | null;
  time_zone: string;
}

/** The public front page: contests the public may see. */
export function homeRoutes(pool: Pool): express.Router {
  const r = express.Router();
  r.get('/', async (req, res) => {
    const contests = await rows<HomeContest>(
      pool,
      `SELECT slug, title, summary, hashtags, closes_at, time_zone
         FROM contests WHERE state <> 'draft' ORDER BY closes_at DESC NULLS LAST, id DESC LIMIT 50`,
    );
    await render(res, 'home/index', { title: req.t('home.title'), contests });
  });
  return r;
}
