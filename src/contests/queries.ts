import type { Queryable } from '../db';
import { execute, maybeOne, one, rows } from '../db';
import type { StoredContestState } from './phase';

export type FieldMode = 'off' | 'optional' | 'required';
export const ENTRANT_OPTIONAL_FIELDS = ['dateOfBirth', 'organisation', 'occupation', 'province', 'address', 'nationalId', 'tiktokHandle'] as const;
export type EntrantOptionalField = (typeof ENTRANT_OPTIONAL_FIELDS)[number];

export interface ContestRow {
  id: number;
  slug: string;
  title: string;
  summary: string;
  rules_md: string;
  rules_version: number;
  banner_file_id: number | null;
  hashtags: string[];
  time_zone: string;
  opens_at: Date | null;
  closes_at: Date | null;
  grace_minutes: number;
  ceremony_at: Date | null;
  ceremony_place: string | null;
  organiser_name: string | null;
  code_prefix: string;
  max_entries_per_entrant: number;
  early_clip_policy: 'reject' | 'flag';
  entrant_fields: Partial<Record<EntrantOptionalField, FieldMode>>;
  min_age: number | null;
  public_fields: string[];
  upload_mode: FieldMode;
  max_upload_mb: number;
  allow_multiple_prizes: boolean;
  tie_break: { kind: 'criterion' | 'scoresheets' | 'median' | 'spread'; criterionName?: string }[];
  state: StoredContestState;
  created_at: Date;
  updated_at: Date;
  /** Goes up with every change to the contest or its categories (migration 060). */
  version: number;
  /** The contest's categories in display order (the submit path validates against them). */
  category_ids: number[];
}

export const CONTEST_COLUMNS = `id, slug::text AS slug, title, summary, rules_md, rules_version, banner_file_id, hashtags, time_zone,
  opens_at, closes_at, grace_minutes, ceremony_at, ceremony_place, organiser_name, code_prefix, max_entries_per_entrant,
  early_clip_policy, entrant_fields, min_age, public_fields, upload_mode, max_upload_mb, allow_multiple_prizes, tie_break,
  state, created_at, updated_at, version,
  ARRAY(SELECT k.id::integer FROM categories k WHERE k.contest_id = contests.id ORDER BY k.position, k.id) AS category_ids`;

export function findContestBySlug(q: Queryable, slug: string): Promise<ContestRow | undefined> {
  return maybeOne<ContestRow>(q, `SELECT ${CONTEST_COLUMNS} FROM contests WHERE slug = $1`, [slug]);
}

export function findContestById(q: Queryable, id: number): Promise<ContestRow | undefined> {
  return maybeOne<ContestRow>(q, `SELECT ${CONTEST_COLUMNS} FROM contests WHERE id = $1`, [id]);
}

// ---- Set-up (organiser side) and listings (public side) ----

export interface CategoryRow {
  id: number;
  contest_id: number;
  name: string;
  description: string;
  position: number;
}

export interface PrizeTierRow {
  id: number;
  contest_id: number;
  name: string;
  count: number;
  position: number;
  category_id: number | null;
  category_name: string | null;
  decided_by: 'judges' | 'engagement';
  /** People's-choice rule of an engagement tier (written by the metrics feature). */
  engagement: { formula?: string; weights?: Record<string, number>; cutoffAt?: string } | null;
}

export function listCategories(q: Queryable, contestId: number): Promise<CategoryRow[]> {
  return rows<CategoryRow>(q, 'SELECT id, contest_id, name, description, position FROM categories WHERE contest_id = $1 ORDER BY position, id', [contestId]);
}

export function listPrizeTiers(q: Queryable, contestId: number): Promise<PrizeTierRow[]> {
  return rows<PrizeTierRow>(
    q,
    `SELECT p.id, p.contest_id, p.name, p.count, p.position, p.category_id, c.name AS category_name, p.decided_by, p.engagement
       FROM prize_tiers p LEFT JOIN categories c ON c.id = p.category_id
      WHERE p.contest_id = $1 ORDER BY p.position, p.id`,
    [contestId],
  );
}

/** The columns a contest form writes, in the order of the INSERT/UPDATE parameters below. */
export interface ContestWrite {
  slug: string;
  title: string;
  summary: string;
  rules_md: string;
  hashtags: string[];
  time_zone: string;
  opens_at: Date | null;
  closes_at: Date | null;
  grace_minutes: number;
  ceremony_at: Date | null;
  ceremony_place: string | null;
  organiser_name: string | null;
  code_prefix: string;
  max_entries_per_entrant: number;
  early_clip_policy: 'reject' | 'flag';
  entrant_fields: Record<string, FieldMode>;
  min_age: number | null;
  public_fields: string[];
  upload_mode: FieldMode;
  max_upload_mb: number;
}

const writeValues = (w: ContestWrite) => [
  w.slug, w.title, w.summary, w.rules_md, w.hashtags, w.time_zone, w.opens_at, w.closes_at, w.grace_minutes, w.ceremony_at,
  w.ceremony_place, w.organiser_name, w.code_prefix, w.max_entries_per_entrant, w.early_clip_policy, JSON.stringify(w.entrant_fields),
  w.min_age, w.public_fields, w.upload_mode, w.max_upload_mb,
];

export async function insertContest(q: Queryable, w: ContestWrite, createdBy: number | null): Promise<number> {
  const r = await one<{ id: number }>(
    q,
    `INSERT INTO contests (slug, title, summary, rules_md, hashtags, time_zone, opens_at, closes_at, grace_minutes, ceremony_at,
                           ceremony_place, organiser_name, code_prefix, max_entries_per_entrant, early_clip_policy, entrant_fields,
                           min_age, public_fields, upload_mode, max_upload_mb, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21) RETURNING id`,
    [...writeValues(w), createdBy],
  );
  return r.id;
}

export async function updateContestRow(q: Queryable, id: number, w: ContestWrite, bumpRulesVersion: boolean): Promise<void> {
  await execute(
    q,
    `UPDATE contests SET slug = $1, title = $2, summary = $3, rules_md = $4, hashtags = $5, time_zone = $6, opens_at = $7,
            closes_at = $8, grace_minutes = $9, ceremony_at = $10, ceremony_place = $11, organiser_name = $12, code_prefix = $13,
            max_entries_per_entrant = $14, early_clip_policy = $15, entrant_fields = $16, min_age = $17, public_fields = $18,
            upload_mode = $19, max_upload_mb = $20, rules_version = rules_version + CASE WHEN $22 THEN 1 ELSE 0 END, updated_at = now()
      WHERE id = $21`,
    [...writeValues(w), id, bumpRulesVersion],
  );
}

export function lockContest(q: Queryable, id: number): Promise<ContestRow | undefined> {
  return maybeOne<ContestRow>(q, `SELECT ${CONTEST_COLUMNS} FROM contests WHERE id = $1 FOR UPDATE`, [id]);
}

export function slugTaken(q: Queryable, slug: string, exceptId: number | null): Promise<boolean> {
  return maybeOne<{ x: number }>(q, 'SELECT 1 AS x FROM contests WHERE slug = $1 AND ($2::bigint IS NULL OR id <> $2)', [slug, exceptId]).then(Boolean);
}

/** Entries that count as received (withdrawn ones do not). */
export async function countEntries(q: Queryable, contestId: number): Promise<number> {
  const r = await one<{ n: number }>(q, "SELECT count(*)::int AS n FROM entries WHERE contest_id = $1 AND status <> 'withdrawn'", [contestId]);
  return r.n;
}

export async function countAllEntries(q: Queryable, contestId: number): Promise<number> {
  const r = await one<{ n: number }>(q, 'SELECT count(*)::int AS n FROM entries WHERE contest_id = $1', [contestId]);
  return r.n;
}

export async function upsertCategory(q: Queryable, contestId: number, c: { id: number | null; name: string; description: string; position: number }): Promise<number> {
  if (c.id) {
    const r = await maybeOne<{ id: number }>(
      q,
      'UPDATE categories SET name = $3, description = $4, position = $5 WHERE id = $1 AND contest_id = $2 RETURNING id',
      [c.id, contestId, c.name, c.description, c.position],
    );
    if (r) return r.id;
  }
  const r = await one<{ id: number }>(q, 'INSERT INTO categories (contest_id, name, description, position) VALUES ($1, $2, $3, $4) RETURNING id', [
    contestId, c.name, c.description, c.position,
  ]);
  return r.id;
}

export function categoriesInUse(q: Queryable, ids: number[]): Promise<{ id: number; name: string }[]> {
  return rows(
    q,
    `SELECT c.id, c.name FROM categories c
      WHERE c.id = ANY($1::bigint[])
        AND (EXISTS (SELECT 1 FROM entries e WHERE e.category_id = c.id) OR EXISTS (SELECT 1 FROM rounds r WHERE r.category_id = c.id))`,
    [ids],
  );
}

export function deleteCategoriesExcept(q: Queryable, contestId: number, keep: number[]): Promise<number> {
  return execute(q, 'DELETE FROM categories WHERE contest_id = $1 AND NOT (id = ANY($2::bigint[]))', [contestId, keep]);
}

export async function upsertPrizeTier(
  q: Queryable,
  contestId: number,
  p: { id: number | null; name: string; count: number; position: number; categoryId: number | null; decidedBy: 'judges' | 'engagement' },
): Promise<number> {
  if (p.id) {
    const r = await maybeOne<{ id: number }>(
      q,
      'UPDATE prize_tiers SET name = $3, count = $4, position = $5, category_id = $6, decided_by = $7 WHERE id = $1 AND contest_id = $2 RETURNING id',
      [p.id, contestId, p.name, p.count, p.position, p.categoryId, p.decidedBy],
    );
    if (r) return r.id;
  }
  const r = await one<{ id: number }>(
    q,
    'INSERT INTO prize_tiers (contest_id, name, count, position, category_id, decided_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id',
    [contestId, p.name, p.count, p.position, p.categoryId, p.decidedBy],
  );
  return r.id;
}

export function prizeTiersAwarded(q: Queryable, ids: number[]): Promise<{ id: number; name: string }[]> {
  return rows(q, 'SELECT DISTINCT p.id, p.name FROM prize_tiers p JOIN awards a ON a.prize_tier_id = p.id WHERE p.id = ANY($1::bigint[])', [ids]);
}

export function deletePrizeTiersExcept(q: Queryable, contestId: number, keep: number[]): Promise<number> {
  return execute(q, 'DELETE FROM prize_tiers WHERE contest_id = $1 AND NOT (id = ANY($2::bigint[]))', [contestId, keep]);
}

export function setBannerFile(q: Queryable, contestId: number, fileId: number | null): Promise<number> {
  return execute(q, 'UPDATE contests SET banner_file_id = $2, updated_at = now() WHERE id = $1', [contestId, fileId]);
}

export interface ContestListRow {
  id: number;
  slug: string;
  title: string;
  summary: string;
  hashtags: string[];
  time_zone: string;
  opens_at: Date | null;
  closes_at: Date | null;
  grace_minutes: number;
  state: StoredContestState;
  banner_file_id: number | null;
  entry_count: number;
  created_at: Date;
  updated_at: Date;
}

const BASE_LIST_COLUMNS = `c.id, c.slug::text AS slug, c.title, c.summary, c.hashtags, c.time_zone, c.opens_at, c.closes_at, c.grace_minutes, c.state,
  c.banner_file_id, c.created_at, c.updated_at`;
const LIST_COLUMNS = `${BASE_LIST_COLUMNS},
  (SELECT count(*)::int FROM entries e WHERE e.contest_id = c.id AND e.status <> 'withdrawn') AS entry_count`;

/**
 * Contests the public may see, the open ones first (then upcoming, then the rest, newest first).
 * "Open" is computed here from the dates and the clock, as contestPhase does.
 */
export function listPublicContests(q: Queryable, now: Date, limit: number, offset: number): Promise<Omit<ContestListRow, 'entry_count'>[]> {
  // No counts here: the public pages take them from the kept counters (contestCounters).
  return rows(
    q,
    `SELECT ${BASE_LIST_COLUMNS} FROM contests c
      WHERE c.state <> 'draft'
      ORDER BY CASE
                 WHEN c.state = 'published' AND c.opens_at <= $1 AND $1 <= c.closes_at + make_interval(mins => c.grace_minutes) THEN 0
                 WHEN c.state = 'published' AND (c.opens_at IS NULL OR c.opens_at > $1) THEN 1
                 ELSE 2 END,
               CASE WHEN c.state = 'published' AND c.closes_at >= $1 THEN c.closes_at END ASC NULLS LAST,
               c.closes_at DESC NULLS LAST, c.id DESC
      LIMIT $2 OFFSET $3`,
    [now, limit, offset],
  );
}

export async function countPublicContests(q: Queryable): Promise<number> {
  return (await one<{ n: number }>(q, "SELECT count(*)::int AS n FROM contests WHERE state <> 'draft'")).n;
}

export function listAllContests(q: Queryable, limit: number, offset: number): Promise<ContestListRow[]> {
  return rows<ContestListRow>(q, `SELECT ${LIST_COLUMNS} FROM contests c ORDER BY c.created_at DESC, c.id DESC LIMIT $1 OFFSET $2`, [limit, offset]);
}

export async function countAllContests(q: Queryable): Promise<number> {
  return (await one<{ n: number }>(q, 'SELECT count(*)::int AS n FROM contests')).n;
}

export interface EngagementTotals {
  views: number;
  likes: number;
  comments: number;
  shares: number;
  entries_measured: number;
}

/** Totals of each entry's latest snapshot; null when no metrics were imported yet. */
export async function engagementTotals(q: Queryable, contestId: number): Promise<EngagementTotals | null> {
  const r = await one<EngagementTotals>(
    q,
    `SELECT coalesce(sum(views), 0)::float8 AS views, coalesce(sum(likes), 0)::float8 AS likes,
            coalesce(sum(comments), 0)::float8 AS comments, coalesce(sum(shares), 0)::float8 AS shares, count(*)::int AS entries_measured
       FROM (SELECT DISTINCT ON (s.entry_id) s.views, s.likes, s.comments, s.shares
               FROM metric_snapshots s JOIN entries e ON e.id = s.entry_id AND e.status <> 'withdrawn'
              WHERE s.contest_id = $1 ORDER BY s.entry_id, s.captured_at DESC) latest`,
    [contestId],
  );
  return r.entries_measured ? r : null;
}

export async function winnersPublished(q: Queryable, contestId: number): Promise<boolean> {
  const r = await maybeOne<{ state: string }>(q, 'SELECT state FROM winners_lists WHERE contest_id = $1', [contestId]);
  return r?.state === 'published';
}
