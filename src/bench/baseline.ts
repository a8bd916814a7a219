import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Pool } from 'pg';

/**
 * The baseline every HTTP figure is compared to: a bare Express app on the same database doing
 * the least that the endpoint could do — one INSERT for a submission, one query for a page.
 */
export async function startBaseline(pool: Pool, queries: Record<string, (req: express.Request) => Promise<unknown>> = {}): Promise<{ url: string; close(): Promise<void> }> {
  await pool.query(`CREATE TABLE IF NOT EXISTS bench_bare_entries (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, video_id text NOT NULL, body jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`);
  const app = express();
  app.use(express.json({ limit: '200kb' }));
  app.post('/bare/entries', async (req, res) => {
    const body = req.body as { tiktokUrl?: string };
    const { rows } = await pool.query<{ id: number }>('INSERT INTO bench_bare_entries (video_id, body) VALUES ($1, $2) RETURNING id', [String(body.tiktokUrl ?? '').slice(-19), JSON.stringify(body)]);
    res.status(201).json({ id: rows[0]?.id });
  });
  app.get('/bare/select1', async (_req, res) => {
    await pool.query('SELECT 1');
    res.json({ ok: true });
  });
  for (const [name, fn] of Object.entries(queries)) {
    app.get(`/bare/${name}`, async (req, res) => {
      res.json(await fn(req));
    });
  }
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** The real portal on a loopback port. */
export async function startPortal(app: express.Express): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
