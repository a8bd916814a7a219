import express from 'express';
import type { Pool } from 'pg';

/** 200 when the database answers within two seconds, 503 otherwise. */
export function healthRoutes(pool: Pool): express.Router {
  const r = express.Router();
  r.get('/healthz', async (_req, res) => {
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000).unref());
    try {
      await Promise.race([pool.query('SELECT 1'), timeout]);
      res.set('Cache-Control', 'no-store').json({ status: 'ok', db: 'ok' });
    } catch {
      res.status(503).set('Cache-Control', 'no-store').json({ status: 'degraded', db: 'unavailable' });
    }
  });
  return r;
}
