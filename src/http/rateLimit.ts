import type { Queryable } from '../db';
import { one, maybeOne, execute } from '../db';

/**
 * Fixed-window counters in PostgreSQL, so every instance of the portal sees the same numbers.
 * An upsert increments atomically; no read-then-write race.
 */
export interface WindowCount {
  count: number;
  retryAfterSeconds: number;
}

function windowStart(now: Date, windowSeconds: number): Date {
  const ms = windowSeconds * 1000;
  return new Date(Math.floor(now.getTime() / ms) * ms);
}

export async function hit(q: Queryable, key: string, windowSeconds: number, now = new Date()): Promise<WindowCount> {
  const start = windowStart(now, windowSeconds);
  const row = await one<{ count: number }>(
    q,
    `INSERT INTO rate_counters (key, window_start, count) VALUES ($1, $2, 1)
     ON CONFLICT (key, window_start) DO UPDATE SET count = rate_counters.count + 1
     RETURNING count`,
    [key, start],
  );
  return { count: row.count, retryAfterSeconds: Math.ceil((start.getTime() + windowSeconds * 1000 - now.getTime()) / 1000) };
}

export async function peek(q: Queryable, key: string, windowSeconds: number, now = new Date()): Promise<WindowCount> {
  const start = windowStart(now, windowSeconds);
  const row = await maybeOne<{ count: number }>(q, 'SELECT count FROM rate_counters WHERE key = $1 AND window_start = $2', [key, start]);
  return { count: row?.count ?? 0, retryAfterSeconds: Math.ceil((start.getTime() + windowSeconds * 1000 - now.getTime()) / 1000) };
}

export async function clear(q: Queryable, key: string): Promise<void> {
  await execute(q, 'DELETE FROM rate_counters WHERE key = $1', [key]);
}

/** Old windows are useless; the housekeeping job drops them. */
export async function purgeOldCounters(q: Queryable, olderThanSeconds = 2 * 86400): Promise<number> {
  return execute(q, `DELETE FROM rate_counters WHERE window_start < now() - make_interval(secs => $1)`, [olderThanSeconds]);
}
