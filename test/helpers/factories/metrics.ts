import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Db } from '../../../src/db';
import { one } from '../../../src/db';

/** Writes an export file for an import test and returns its path (removed with the temp folder). */
export function writeMetricsFile(content: string | Buffer, name = 'metrics.csv'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cj-metrics-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

export async function createMetricsCategory(db: Db, contestId: number, name: string, position = 0): Promise<{ id: number }> {
  return one(db.pool, 'INSERT INTO categories (contest_id, name, position) VALUES ($1, $2, $3) RETURNING id', [contestId, name, position]);
}

/** A snapshot written straight into the table (not through an import). */
export async function createMetricSnapshot(
  db: Db,
  contestId: number,
  entryId: number,
  capturedAt: Date,
  v: { views: number; likes?: number; comments?: number; shares?: number },
): Promise<{ id: number }> {
  return one(
    db.pool,
    `INSERT INTO metric_snapshots (contest_id, entry_id, captured_at, views, likes, comments, shares, source)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'manual') RETURNING id`,
    [contestId, entryId, capturedAt, v.views, v.likes ?? 0, v.comments ?? 0, v.shares ?? 0],
  );
}

export async function createMetricsPrizeTier(db: Db, contestId: number, o: { name?: string; count?: number; engagement?: unknown; categoryId?: number | null } = {}): Promise<{ id: number }> {
  return one(
    db.pool,
    `INSERT INTO prize_tiers (contest_id, name, count, position, category_id, decided_by, engagement)
     VALUES ($1, $2, $3, 10, $4, 'engagement', $5) RETURNING id`,
    [contestId, o.name ?? 'Giải bình chọn', o.count ?? 3, o.categoryId ?? null, o.engagement === undefined ? null : JSON.stringify(o.engagement)],
  );
}
