import type { Queryable } from '../db';
import { execute, maybeOne, one, rows } from '../db';

/** Named SQL of the metrics feature: imports, snapshots, the aggregates and the dashboard reads. */

export interface ImportRow {
  id: number;
  contest_id: number;
  file_name: string;
  sha256: string;
  rows_read: number;
  accepted: number;
  skipped: number;
  duplicates: number;
  refused: number;
  report: ReportItem[];
  mapping: Record<string, unknown>;
  created_by: number | null;
  created_by_name: string | null;
  created_at: Date;
}

export type ReportOutcome = 'skipped' | 'refused';
export interface ReportItem {
  row: number;
  outcome: ReportOutcome;
  reason: string;
  field?: string;
  value?: string;
}

const IMPORT_COLUMNS = `i.id, i.contest_id, i.file_name, i.sha256, i.rows_read, i.accepted, i.skipped, i.duplicates, i.refused,
  i.report, i.mapping, i.created_by, u.name AS created_by_name, i.created_at`;

export function insertImport(q: Queryable, contestId: number, fileName: string, createdBy: number | null): Promise<{ id: number }> {
  return one(q, `INSERT INTO metric_imports (contest_id, file_name, sha256, created_by) VALUES ($1, $2, '', $3) RETURNING id`, [contestId, fileName, createdBy]);
}

export function finishImport(
  q: Queryable,
  id: number,
  r: { sha256: string; rowsRead: number; accepted: number; skipped: number; duplicates: number; refused: number; report: ReportItem[]; mapping: unknown },
): Promise<number> {
  return execute(
    q,
    `UPDATE metric_imports SET sha256 = $2, rows_read = $3, accepted = $4, skipped = $5, duplicates = $6, refused = $7, report = $8, mapping = $9
      WHERE id = $1`,
    [id, r.sha256, r.rowsRead, r.accepted, r.skipped, r.duplicates, r.refused, JSON.stringify(r.report), JSON.stringify(r.mapping)],
  );
}

export function findImport(q: Queryable, contestId: number, id: number): Promise<ImportRow | undefined> {
  return maybeOne(q, `SELECT ${IMPORT_COLUMNS} FROM metric_imports i LEFT JOIN users u ON u.id = i.created_by WHERE i.contest_id = $1 AND i.id = $2`, [contestId, id]);
}

export function findImportBySha(q: Queryable, contestId: number, sha256: string): Promise<{ id: number; created_at: Date } | undefined> {
  return maybeOne(q, `SELECT id, created_at FROM metric_imports WHERE contest_id = $1 AND sha256 = $2 ORDER BY id LIMIT 1`, [contestId, sha256]);
}

export function listImports(q: Queryable, contestId: number, limit: number, offset: number): Promise<Omit<ImportRow, 'report'>[]> {
  return rows(
    q,
    `SELECT i.id, i.contest_id, i.file_name, i.sha256, i.rows_read, i.accepted, i.skipped, i.duplicates, i.refused, i.mapping,
            i.created_by, u.name AS created_by_name, i.created_at
       FROM metric_imports i LEFT JOIN users u ON u.id = i.created_by
      WHERE i.contest_id = $1 ORDER BY i.created_at DESC, i.id DESC LIMIT $2 OFFSET $3`,
    [contestId, limit, offset],
  );
}

export async function countImports(q: Queryable, contestId: number): Promise<number> {
  return (await one<{ n: number }>(q, 'SELECT count(*)::int AS n FROM metric_imports WHERE contest_id = $1', [contestId])).n;
}

export interface BatchRow {
  n: number;
  videoId: string | null;
  code: string | null;
  url: string | null;
}

/** Which entry of this contest each row names (null: none). Withdrawn entries are not matched. */
export function matchEntries(q: Queryable, contestId: number, batch: BatchRow[]): Promise<{ n: number; entry_id: number | null }[]> {
  return rows(
    q,
    `SELECT i.n, COALESCE(
              (SELECT e.id FROM entries e WHERE e.contest_id = $1 AND e.video_id = i.video_id AND e.status <> 'withdrawn' LIMIT 1),
              (SELECT e.id FROM entries e WHERE e.contest_id = $1 AND e.code = i.code LIMIT 1),
              (SELECT e.id FROM entries e WHERE e.contest_id = $1 AND e.tiktok_url_input = i.url AND e.status <> 'withdrawn' LIMIT 1)
            ) AS entry_id
       FROM unnest($2::int[], $3::text[], $4::text[], $5::text[]) AS i(n, video_id, code, url)`,
    [contestId, batch.map((b) => b.n), batch.map((b) => b.videoId), batch.map((b) => b.code), batch.map((b) => b.url)],
  );
}

export interface SnapshotIn {
  entryId: number;
  capturedAt: Date;
  views: number;
  likes: number;
  comments: number;
  shares: number;
}

/**
 * Inserts a batch in one statement; a snapshot already present (same entry, same moment) is left
 * as it is, which makes a re-import add nothing. Each entry's latest snapshot moves forward in the
 * same statement. Returns the rows actually inserted.
 */
export function insertSnapshots(q: Queryable, contestId: number, importId: number | null, source: 'import' | 'manual', batch: SnapshotIn[]): Promise<{ entry_id: number; captured_at: Date }[]> {
  return rows(
    q,
    `WITH ins AS (
       INSERT INTO metric_snapshots (contest_id, entry_id, captured_at, views, likes, comments, shares, source, import_id)
       SELECT $1, t.entry_id, t.captured_at, t.views, t.likes, t.comments, t.shares, $3, $2
         FROM unnest($4::bigint[], $5::timestamptz[], $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[])
              AS t(entry_id, captured_at, views, likes, comments, shares)
       ON CONFLICT (entry_id, captured_at) DO NOTHING
       RETURNING entry_id, captured_at, views, likes, comments, shares
     ), latest AS (
       INSERT INTO metric_latest (entry_id, contest_id, captured_at, views, likes, comments, shares)
       SELECT DISTINCT ON (entry_id) entry_id, $1, captured_at, views, likes, comments, shares FROM ins ORDER BY entry_id, captured_at DESC
       ON CONFLICT (entry_id) DO UPDATE SET captured_at = EXCLUDED.captured_at, views = EXCLUDED.views, likes = EXCLUDED.likes,
              comments = EXCLUDED.comments, shares = EXCLUDED.shares
        WHERE EXCLUDED.captured_at > metric_latest.captured_at
     )
     SELECT entry_id, captured_at FROM ins`,
    [
      contestId,
      importId,
      source,
      batch.map((b) => b.entryId),
      batch.map((b) => b.capturedAt.toISOString()),
      batch.map((b) => b.views),
      batch.map((b) => b.likes),
      batch.map((b) => b.comments),
      batch.map((b) => b.shares),
    ],
  );
}

/** One entry's latest snapshot recomputed from its history (after a correction). */
export function refreshLatestForEntry(q: Queryable, entryId: number): Promise<number> {
  return execute(
    q,
    `INSERT INTO metric_latest (entry_id, contest_id, captured_at, views, likes, comments, shares)
     SELECT entry_id, contest_id, captured_at, views, likes, comments, shares FROM metric_snapshots
      WHERE entry_id = $1 ORDER BY captured_at DESC LIMIT 1
     ON CONFLICT (entry_id) DO UPDATE SET captured_at = EXCLUDED.captured_at, views = EXCLUDED.views, likes = EXCLUDED.likes,
            comments = EXCLUDED.comments, shares = EXCLUDED.shares`,
    [entryId],
  );
}

/**
 * The contest's totals at the end of each day, rebuilt from the snapshots: each snapshot adds its
 * growth over the same entry's previous one, and a running sum carries the totals forward.
 */
export async function refreshDailyTotals(q: Queryable, contestId: number, timeZone: string): Promise<void> {
  await execute(q, 'DELETE FROM metric_daily_totals WHERE contest_id = $1', [contestId]);
  await execute(
    q,
    `INSERT INTO metric_daily_totals (contest_id, day, views, likes, comments, shares)
     SELECT $1, day, sum(sum(dv)) OVER w, sum(sum(dl)) OVER w, sum(sum(dc)) OVER w, sum(sum(ds)) OVER w
       FROM (SELECT (s.captured_at AT TIME ZONE $2)::date AS day,
                    s.views - coalesce(lag(s.views) OVER e, 0) AS dv,
                    s.likes - coalesce(lag(s.likes) OVER e, 0) AS dl,
                    s.comments - coalesce(lag(s.comments) OVER e, 0) AS dc,
                    s.shares - coalesce(lag(s.shares) OVER e, 0) AS ds
               FROM metric_snapshots s WHERE s.contest_id = $1
             WINDOW e AS (PARTITION BY s.entry_id ORDER BY s.captured_at)) d
      GROUP BY day
     WINDOW w AS (ORDER BY day)`,
    [contestId, timeZone],
  );
}

export interface EntryRef {
  id: number;
  code: string;
  title: string;
  status: string;
  video_id: string | null;
}

export function findEntryByCode(q: Queryable, contestId: number, code: string): Promise<EntryRef | undefined> {
  return maybeOne(q, 'SELECT id, code, title, status, video_id FROM entries WHERE contest_id = $1 AND code = $2', [contestId, code]);
}

export interface SnapshotRow {
  id: number;
  captured_at: Date;
  views: number;
  likes: number;
  comments: number;
  shares: number;
  source: 'import' | 'manual';
  import_id: number | null;
}

export function listEntrySnapshots(q: Queryable, entryId: number, limit = 50): Promise<SnapshotRow[]> {
  return rows(
    q,
    `SELECT id, captured_at, views, likes, comments, shares, source, import_id FROM metric_snapshots
      WHERE entry_id = $1 ORDER BY captured_at DESC LIMIT $2`,
    [entryId, limit],
  );
}

export function findSnapshot(q: Queryable, entryId: number, capturedAt: Date): Promise<SnapshotRow | undefined> {
  return maybeOne(q, 'SELECT id, captured_at, views, likes, comments, shares, source, import_id FROM metric_snapshots WHERE entry_id = $1 AND captured_at = $2', [entryId, capturedAt]);
}

export function upsertManualSnapshot(q: Queryable, contestId: number, s: SnapshotIn): Promise<number> {
  return execute(
    q,
    `INSERT INTO metric_snapshots (contest_id, entry_id, captured_at, views, likes, comments, shares, source)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'manual')
     ON CONFLICT (entry_id, captured_at) DO UPDATE SET views = EXCLUDED.views, likes = EXCLUDED.likes, comments = EXCLUDED.comments,
            shares = EXCLUDED.shares, source = 'manual'`,
    [contestId, s.entryId, s.capturedAt, s.views, s.likes, s.comments, s.shares],
  );
}

// ——— Dashboard reads ———

export interface Totals {
  entries: number;
  eligible: number;
  with_metrics: number;
  views: number;
  likes: number;
  comments: number;
  shares: number;
}

/** Entries received (withdrawn ones excluded), eligible ones, and engagement from each entry's latest snapshot. */
export function dashboardTotals(q: Queryable, contestId: number): Promise<Totals> {
  return one(
    q,
    `SELECT (SELECT count(*) FROM entries WHERE contest_id = $1 AND status <> 'withdrawn')::int AS entries,
            (SELECT count(*) FROM entries WHERE contest_id = $1 AND status IN ('eligible', 'shortlisted', 'awarded'))::int AS eligible,
            count(l.entry_id)::int AS with_metrics,
            coalesce(sum(l.views), 0)::bigint AS views, coalesce(sum(l.likes), 0)::bigint AS likes,
            coalesce(sum(l.comments), 0)::bigint AS comments, coalesce(sum(l.shares), 0)::bigint AS shares
       FROM metric_latest l WHERE l.contest_id = $1`,
    [contestId],
  );
}

/** Entries received per day in the contest's zone (withdrawn ones excluded). */
export function entriesPerDay(q: Queryable, contestId: number, timeZone: string): Promise<{ day: string; entries: number }[]> {
  return rows(
    q,
    `SELECT to_char((created_at AT TIME ZONE $2)::date, 'YYYY-MM-DD') AS day, count(*)::int AS entries
       FROM entries WHERE contest_id = $1 AND status <> 'withdrawn'
      GROUP BY 1 ORDER BY 1`,
    [contestId, timeZone],
  );
}

export function dailyTotals(q: Queryable, contestId: number): Promise<{ day: string; views: number; likes: number; comments: number; shares: number }[]> {
  return rows(
    q,
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, views, likes, comments, shares FROM metric_daily_totals WHERE contest_id = $1 ORDER BY day`,
    [contestId],
  );
}

export interface GroupRow {
  key: string | null;
  entries: number;
  views: number;
  likes: number;
}

export function byCategory(q: Queryable, contestId: number): Promise<GroupRow[]> {
  return rows(
    q,
    `SELECT c.name AS key, count(e.id)::int AS entries, coalesce(sum(l.views), 0)::bigint AS views, coalesce(sum(l.likes), 0)::bigint AS likes
       FROM entries e LEFT JOIN categories c ON c.id = e.category_id LEFT JOIN metric_latest l ON l.entry_id = e.id
      WHERE e.contest_id = $1 AND e.status <> 'withdrawn'
      GROUP BY c.id, c.name, c.position ORDER BY c.position NULLS LAST, c.name`,
    [contestId],
  );
}

export function byProvince(q: Queryable, contestId: number, limit: number): Promise<GroupRow[]> {
  return rows(
    q,
    `SELECT n.province AS key, count(e.id)::int AS entries, coalesce(sum(l.views), 0)::bigint AS views, coalesce(sum(l.likes), 0)::bigint AS likes
       FROM entries e JOIN entrants n ON n.id = e.entrant_id LEFT JOIN metric_latest l ON l.entry_id = e.id
      WHERE e.contest_id = $1 AND e.status <> 'withdrawn'
      GROUP BY n.province ORDER BY count(e.id) DESC, n.province NULLS LAST LIMIT $2`,
    [contestId, limit],
  );
}

export interface TopEntryRow {
  code: string;
  title: string;
  status: string;
  views: number;
  likes: number;
  comments: number;
  shares: number;
  rate: number;
}

export function topByViews(q: Queryable, contestId: number, limit: number): Promise<TopEntryRow[]> {
  return rows(
    q,
    `SELECT e.code, e.title, e.status, l.views, l.likes, l.comments, l.shares,
            CASE WHEN l.views > 0 THEN ((l.likes + l.comments + l.shares)::float8 / l.views) ELSE 0 END AS rate
       FROM metric_latest l JOIN entries e ON e.id = l.entry_id
      WHERE l.contest_id = $1 AND e.status <> 'withdrawn'
      ORDER BY l.views DESC, e.code LIMIT $2`,
    [contestId, limit],
  );
}

/** Engagement rate = (likes + comments + shares) / views, over clips with at least `minViews` views. */
export function topByRate(q: Queryable, contestId: number, minViews: number, limit: number): Promise<TopEntryRow[]> {
  return rows(
    q,
    `SELECT e.code, e.title, e.status, l.views, l.likes, l.comments, l.shares,
            ((l.likes + l.comments + l.shares)::float8 / l.views) AS rate
       FROM metric_latest l JOIN entries e ON e.id = l.entry_id
      WHERE l.contest_id = $1 AND e.status <> 'withdrawn' AND l.views >= greatest($2, 1)
      ORDER BY rate DESC, l.views DESC, e.code LIMIT $3`,
    [contestId, minViews, limit],
  );
}

/**
 * Posting time against the window, from the stored posting time or the video id's top 32 bits.
 */
export function postingWindow(q: Queryable, contestId: number): Promise<{ before: number; inside: number; after: number; unknown: number }> {
  return one(
    q,
    `SELECT count(*) FILTER (WHERE p.at < c.opens_at)::int AS before,
            count(*) FILTER (WHERE p.at >= c.opens_at AND p.at <= c.closes_at + make_interval(mins => c.grace_minutes))::int AS inside,
            count(*) FILTER (WHERE p.at > c.closes_at + make_interval(mins => c.grace_minutes))::int AS after,
            count(*) FILTER (WHERE p.at IS NULL OR c.opens_at IS NULL OR c.closes_at IS NULL)::int AS unknown
       FROM contests c JOIN entries e ON e.contest_id = c.id
       CROSS JOIN LATERAL (SELECT coalesce(e.posted_at,
                 CASE WHEN e.video_id IS NOT NULL THEN to_timestamp(div(e.video_id::numeric, 4294967296)::float8) END) AS at) p
      WHERE c.id = $1 AND e.status <> 'withdrawn'`,
    [contestId],
  );
}

export function postedOutsideWindow(q: Queryable, contestId: number, which: 'before' | 'after', limit: number): Promise<{ code: string; title: string; posted_at: Date; status: string }[]> {
  return rows(
    q,
    `SELECT e.code, e.title, p.at AS posted_at, e.status
       FROM contests c JOIN entries e ON e.contest_id = c.id
       CROSS JOIN LATERAL (SELECT coalesce(e.posted_at,
                 CASE WHEN e.video_id IS NOT NULL THEN to_timestamp(div(e.video_id::numeric, 4294967296)::float8) END) AS at) p
      WHERE c.id = $1 AND e.status <> 'withdrawn'
        AND CASE WHEN $2 = 'before' THEN p.at < c.opens_at ELSE p.at > c.closes_at + make_interval(mins => c.grace_minutes) END
      ORDER BY p.at, e.code LIMIT $3`,
    [contestId, which, limit],
  );
}

export interface EngagementTierRow {
  id: number;
  name: string;
  count: number;
  category_id: number | null;
  category_name: string | null;
  engagement: { formula?: string; weights?: Record<string, number>; cutoffAt?: string } | null;
}

export function engagementTiers(q: Queryable, contestId: number): Promise<EngagementTierRow[]> {
  return rows(
    q,
    `SELECT p.id, p.name, p.count, p.category_id, c.name AS category_name, p.engagement
       FROM prize_tiers p LEFT JOIN categories c ON c.id = p.category_id
      WHERE p.contest_id = $1 AND p.decided_by = 'engagement' ORDER BY p.position, p.id`,
    [contestId],
  );
}

export function saveTierEngagement(q: Queryable, contestId: number, tierId: number, engagement: unknown): Promise<number> {
  return execute(
    q,
    `UPDATE prize_tiers SET engagement = $3 WHERE contest_id = $1 AND id = $2 AND decided_by = 'engagement'`,
    [contestId, tierId, JSON.stringify(engagement)],
  );
}

/** Rebuilds every entry's latest snapshot of a contest from the history (after bulk loads). */
export async function rebuildLatest(q: Queryable, contestId: number): Promise<void> {
  await execute(q, 'DELETE FROM metric_latest WHERE contest_id = $1', [contestId]);
  await execute(
    q,
    `INSERT INTO metric_latest (entry_id, contest_id, captured_at, views, likes, comments, shares)
     SELECT DISTINCT ON (entry_id) entry_id, contest_id, captured_at, views, likes, comments, shares
       FROM metric_snapshots WHERE contest_id = $1 ORDER BY entry_id, captured_at DESC`,
    [contestId],
  );
}

export interface Counts4 {
  views: number;
  likes: number;
  comments: number;
  shares: number;
}

/** The current latest snapshot of some entries (before a batch goes in). */
export function latestOf(q: Queryable, entryIds: number[]): Promise<({ entry_id: number; captured_at: Date } & Counts4)[]> {
  return rows(
    q,
    'SELECT entry_id, captured_at, views, likes, comments, shares FROM metric_latest WHERE entry_id = ANY($1::bigint[])',
    [entryIds],
  );
}

/** One entry's growth per day (each snapshot minus the one before it), in the contest's zone. */
export function entryDailyGrowth(q: Queryable, entryId: number, timeZone: string): Promise<({ day: string } & Counts4)[]> {
  return rows(
    q,
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, sum(dv)::bigint AS views, sum(dl)::bigint AS likes, sum(dc)::bigint AS comments, sum(ds)::bigint AS shares
       FROM (SELECT (captured_at AT TIME ZONE $2)::date AS day,
                    views - coalesce(lag(views) OVER e, 0) AS dv, likes - coalesce(lag(likes) OVER e, 0) AS dl,
                    comments - coalesce(lag(comments) OVER e, 0) AS dc, shares - coalesce(lag(shares) OVER e, 0) AS ds
               FROM metric_snapshots WHERE entry_id = $1 WINDOW e AS (ORDER BY captured_at)) d
      GROUP BY day`,
    [entryId, timeZone],
  );
}

/**
 * Adds growth to the running daily totals: the day's row is created (carrying the day before)
 * when missing, then that day and every later one move by the growth. Days in ascending order.
 */
export async function addDailyGrowth(q: Queryable, contestId: number, growth: Map<string, Counts4>): Promise<void> {
  for (const day of [...growth.keys()].sort()) {
    const g = growth.get(day) as Counts4;
    if (!g.views && !g.likes && !g.comments && !g.shares) continue;
    await execute(
      q,
      `INSERT INTO metric_daily_totals (contest_id, day, views, likes, comments, shares)
       SELECT $1, $2::date, coalesce(p.views, 0), coalesce(p.likes, 0), coalesce(p.comments, 0), coalesce(p.shares, 0)
         FROM (SELECT 1) one
         LEFT JOIN LATERAL (SELECT views, likes, comments, shares FROM metric_daily_totals
                             WHERE contest_id = $1 AND day < $2::date ORDER BY day DESC LIMIT 1) p ON true
       ON CONFLICT (contest_id, day) DO NOTHING`,
      [contestId, day],
    );
    await execute(
      q,
      `UPDATE metric_daily_totals SET views = views + $3, likes = likes + $4, comments = comments + $5, shares = shares + $6
        WHERE contest_id = $1 AND day >= $2::date`,
      [contestId, day, g.views, g.likes, g.comments, g.shares],
    );
  }
}
