import type { Queryable } from '../db';
import { Pool } from 'pg';
import { execute, maybeOne, rows, withTransaction } from '../db';

/** Entries that can still be ranked, promoted or awarded. */
export const RANKABLE = ['eligible', 'shortlisted', 'awarded'];

export interface RoundRow {
  id: number;
  contest_id: number;
  position: number;
  name: string;
  kind: 'screening' | 'scoring';
  entry_source: 'all_eligible' | 'promoted';
  category_id: number | null;
  state: 'draft' | 'open' | 'closed';
}

const ROUND_COLUMNS = 'id, contest_id, position, name, kind, entry_source, category_id, state';

export function listRounds(q: Queryable, contestId: number): Promise<RoundRow[]> {
  return rows<RoundRow>(q, `SELECT ${ROUND_COLUMNS} FROM rounds WHERE contest_id = $1 ORDER BY position`, [contestId]);
}

export function findRound(q: Queryable, contestId: number, roundId: number): Promise<RoundRow | undefined> {
  return maybeOne<RoundRow>(q, `SELECT ${ROUND_COLUMNS} FROM rounds WHERE contest_id = $1 AND id = $2`, [contestId, roundId]);
}

export interface CriterionRow {
  id: number;
  name: string;
  weight: number;
  scale_min: number;
  scale_max: number;
  position: number;
}

export function listCriteria(q: Queryable, roundId: number): Promise<CriterionRow[]> {
  return rows<CriterionRow>(
    q,
    `SELECT id, name, weight::float8 AS weight, scale_min::float8 AS scale_min, scale_max::float8 AS scale_max, position
       FROM criteria WHERE round_id = $1 ORDER BY position, id`,
    [roundId],
  );
}

export interface CategoryRow {
  id: number;
  name: string;
}

export function listCategories(q: Queryable, contestId: number): Promise<CategoryRow[]> {
  return rows<CategoryRow>(q, 'SELECT id, name FROM categories WHERE contest_id = $1 ORDER BY position, id', [contestId]);
}

/** One entry's line in a round's results. Scores are on the round's scale; null without a submitted scoresheet. */
export interface ResultRow {
  entry_id: number;
  code: string;
  title: string;
  category_id: number | null;
  status: string;
  sheets: number;
  missing: number;
  mean: number | null;
  median: number | null;
  min: number | null;
  max: number | null;
  sd: number | null;
  normalised: number | null;
  /** The score the ranking uses (mean or normalised mean), rounded to 6 decimals. */
  score: number | null;
  tie_key: number[];
  manual_position: number | null;
  rank: number;
  category_rank: number;
  /** Still tied with another entry after the contest's tie-break rules and the organiser's decisions. */
  tied: boolean;
  spread: boolean;
  /** Entries of the whole round (before filters) still missing scoresheets. */
  missing_entries: number;
  total_count: number;
}

export interface ResultsQuery {
  roundId: number;
  /** The contest's tie-break rules in order (at most 3): criterion ids, or policy.ts TIE_BREAK codes (0 scoresheets, −1 median, −2 spread). */
  tieBreak: number[];
  method: 'plain' | 'normalised';
  /** A scoresheet spread (max − min) at least this share of the round's scale flags the entry. */
  spreadShare: number;
  categoryId?: number | null;
  spreadOnly?: boolean;
  tiedOnly?: boolean;
  maxRank?: number | null;
  maxCategoryRank?: number | null;
  limit?: number | null;
  offset?: number;
}

/** Which rows of a ranking a page shows: the filters both ranking queries take. */
export type PageFilters = Pick<ResultsQuery, 'categoryId' | 'spreadOnly' | 'tiedOnly' | 'maxRank' | 'maxCategoryRank' | 'limit' | 'offset'>;

/** The filters as both queries number their last seven parameters. */
const pageFilterParams = (o: PageFilters) => [o.categoryId ?? null, o.spreadOnly ?? false, o.tiedOnly ?? false, o.maxRank ?? null, o.maxCategoryRank ?? null, o.limit ?? null, o.offset ?? 0];

/**
 * A round's results, computed in one statement. Each submitted scoresheet's weighted total is
 * put on the round's scale (every criterion brought to 0–1 on its own scale, weighted, then
 * mapped onto [lowest minimum, highest maximum] of the round's criteria). Per entry: mean,
 * median, min, max, population standard deviation, number of submitted and missing scoresheets.
 * The normalised score turns each judge's totals into z-scores (a judge whose totals are all
 * equal gives z = 0) and maps them back with the round's overall mean and standard deviation,
 * clamped to the scale. Ties are ranked equal (rank 1, 1, 3) unless the tie-break key (criterion
 * means, number of scoresheets, median, spread) or an organiser's recorded order separates them;
 * never by id.
 */
export async function roundResults(q: Queryable, o: ResultsQuery): Promise<ResultRow[]> {
  return withResultsSettings(q, (c) => roundResultsQuery(c, o));
}

/**
 * The ranking sorts and aggregates a few hundred thousand rows at the seed's scale: with the
 * default 4 MB of work_mem they spill to disk. The statement runs with RESULTS_WORK_MEM and
 * without JIT (compiling its ~140 expressions costs more than it saves on this plan), both set
 * LOCAL to a transaction (the caller's, or one opened here on a pool).
 */
export const RESULTS_WORK_MEM = '64MB';

export async function withResultsSettings<T>(q: Queryable, fn: (c: Queryable) => Promise<T>): Promise<T> {
  const settings = `SET LOCAL work_mem = '${RESULTS_WORK_MEM}'; SET LOCAL jit = off`;
  if (q instanceof Pool) {
    return withTransaction(q, async (tx) => {
      await tx.query(settings);
      return fn(tx);
    });
  }
  await q.query(settings);
  return fn(q);
}

/**
 * The ranking SQL, shared by the direct computation and the cache fill (fillResultsCache). Its
 * columns are ResultRow's, except the tie-break key as k1, k2, k3 and `skey`, the ranking score
 * in millionths (an integer, so sorting and equality are exact and cheap).
 *
 * Where the time goes at the seed's scale (45,304 entries, 679,560 scores): the per-scoresheet
 * aggregate over the scores is most of it. So: `crit` is MATERIALIZED, or its per-criterion
 * factors would be recomputed (numeric division) for every score; the key is rounded in float8
 * (floor(x · 10⁶ + 0.5), as Math.round) and sorted as bigint instead of numeric arrays; `tied` is
 * "more rows up to my peers than my rank" from the same window as the rank, not ten lag/lead
 * calls; and codes are compared bytewise (COLLATE "C": the same order for codes, which are the
 * contest's prefix and a zero-padded number). `counts: false` leaves out the two passes over
 * every row that count entries missing scoresheets and rows (total_count): the whole unfiltered
 * list is its own count, done in JavaScript.
 */
function rankingCtes(o: { counts: boolean }): string {
  return `
     crit AS MATERIALIZED (
       -- weight / (max − min) and −min · weight / (max − min): one multiply-add per score below;
       -- b1–b3: the criterion is named by tie-break rule 1–3.
       SELECT id, weight::float8 AS w, scale_min::float8 AS lo, scale_max::float8 AS hi,
              weight::float8 / (scale_max - scale_min)::float8 AS k, -scale_min::float8 * weight::float8 / (scale_max - scale_min)::float8 AS m,
              coalesce(id = ($2::bigint[])[1], false) AS b1, coalesce(id = ($2::bigint[])[2], false) AS b2, coalesce(id = ($2::bigint[])[3], false) AS b3
         FROM criteria WHERE round_id = $1
     ), scale AS MATERIALIZED (
       SELECT min(lo) AS smin, max(hi) AS smax FROM crit
     ), sheet AS MATERIALIZED (
       -- One pass over the scores: each sheet's weighted fraction and its values on the (at most
       -- three) criteria named by the tie-break rules, aggregated before meeting the scoresheets
       -- (the join to this round's criteria already keeps only this round's scores: a small round
       -- finds them through scores_criterion_idx), so 135,912 sheet rows meet the round's
       -- submitted scoresheets rather than 679,560 score rows.
       SELECT s.entry_id, s.judge_id, sc.smin + (sc.smax - sc.smin) * sh.frac AS total, sh.t1, sh.t2, sh.t3
         FROM (SELECT v.scoresheet_id, sum(v.value::float8 * c.k + c.m) / sum(c.w) AS frac,
                      max(v.value::float8) FILTER (WHERE c.b1) AS t1,
                      max(v.value::float8) FILTER (WHERE c.b2) AS t2,
                      max(v.value::float8) FILTER (WHERE c.b3) AS t3
                 FROM scores v
                 JOIN crit c ON c.id = v.criterion_id
                GROUP BY v.scoresheet_id) sh
         JOIN scoresheets s ON s.id = sh.scoresheet_id AND s.round_id = $1 AND s.status = 'submitted'
        CROSS JOIN scale sc
     ), stats AS MATERIALIZED (
       -- Each judge's mean and sd, and the round's (whole = 1), in one pass over the totals.
       SELECT judge_id, grouping(judge_id) AS whole, avg(total) AS m, stddev_pop(total) AS sd
         FROM sheet GROUP BY GROUPING SETS ((judge_id), ())
     ), per_entry AS (
       -- Plain and normalised figures in the same pass.
       SELECT t.entry_id, count(*)::int AS n, avg(t.total) AS mean,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY t.total) AS median,
              min(t.total) AS mn, max(t.total) AS mx, stddev_pop(t.total) AS sd,
              avg(greatest(sc.smin, least(sc.smax, r.m + coalesce(r.sd, 0) * CASE WHEN j.sd > 1e-9 THEN (t.total - j.m) / j.sd ELSE 0 END))) AS nmean,
              avg(t.t1) AS a1, avg(t.t2) AS a2, avg(t.t3) AS a3
         FROM sheet t
         JOIN stats j ON j.judge_id = t.judge_id AND j.whole = 0
        CROSS JOIN (SELECT m, sd FROM stats WHERE whole = 1) r
        CROSS JOIN scale sc
        GROUP BY t.entry_id
     ), assigned AS (
       SELECT entry_id, count(*)::int AS n FROM assignments WHERE round_id = $1 GROUP BY entry_id
     ), base AS (
       -- The round's entries: all eligible ones (of its category) for an all_eligible round, plus
       -- those promoted into it or assigned in it (a semi-join, no UNION to dedupe).
       SELECT e.id AS entry_id, e.code, e.title, e.category_id, e.status,
              coalesce(pe.n, 0) AS sheets, greatest(coalesce(a.n, 0) - coalesce(pe.n, 0), 0) AS missing,
              pe.mean, pe.median, pe.mn AS min, pe.mx AS max, pe.sd, pe.nmean AS normalised,
              floor(CASE WHEN $3 = 'normalised' THEN pe.nmean ELSE pe.mean END * 1e6 + 0.5)::bigint AS skey,
              -- Tie-break key: rule i is a criterion's mean (its id), the number of scoresheets (0), the
              -- median (−1) or the spread, smaller first (−2: −sd); absent rules are a constant, so
              -- they never separate anything.
              coalesce(floor(CASE ($2::bigint[])[1] WHEN 0 THEN pe.n WHEN -1 THEN pe.median WHEN -2 THEN -pe.sd ELSE pe.a1 END * 1e6 + 0.5)::bigint, CASE WHEN ($2::bigint[])[1] IS NULL THEN 0 ELSE -1000000 END) AS k1,
              coalesce(floor(CASE ($2::bigint[])[2] WHEN 0 THEN pe.n WHEN -1 THEN pe.median WHEN -2 THEN -pe.sd ELSE pe.a2 END * 1e6 + 0.5)::bigint, CASE WHEN ($2::bigint[])[2] IS NULL THEN 0 ELSE -1000000 END) AS k2,
              coalesce(floor(CASE ($2::bigint[])[3] WHEN 0 THEN pe.n WHEN -1 THEN pe.median WHEN -2 THEN -pe.sd ELSE pe.a3 END * 1e6 + 0.5)::bigint, CASE WHEN ($2::bigint[])[3] IS NULL THEN 0 ELSE -1000000 END) AS k3,
              t.position AS manual_position,
              coalesce((pe.mx - pe.mn) >= $4::float8 * (sc.smax - sc.smin) AND pe.n > 1, false) AS spread
         FROM entries e
         JOIN rounds r ON r.id = $1 AND r.contest_id = e.contest_id
        CROSS JOIN scale sc
         LEFT JOIN per_entry pe ON pe.entry_id = e.id
         LEFT JOIN assigned a ON a.entry_id = e.id
         LEFT JOIN result_tie_orders t ON t.round_id = $1 AND t.entry_id = e.id
        WHERE e.status = ANY($5::text[])
          AND ((r.entry_source = 'all_eligible' AND (r.category_id IS NULL OR e.category_id = r.category_id))
               OR a.entry_id IS NOT NULL
               OR e.id IN (SELECT entry_id FROM round_entries WHERE round_id = $1))
     ), ranked AS (
       SELECT b.*,
              (rank() OVER w)::int AS rank,
              rank() OVER (PARTITION BY category_id ORDER BY skey DESC NULLS LAST, k1 DESC, k2 DESC, k3 DESC, manual_position NULLS LAST)::int AS category_rank,
              -- Tied: more rows up to the last of my peers than my rank counts (one window pass).
              skey IS NOT NULL AND count(*) OVER w > rank() OVER w AS tied,
              ${o.counts ? '(count(*) FILTER (WHERE missing > 0) OVER ())::int' : 'NULL::int'} AS missing_entries
         FROM base b
       WINDOW w AS (ORDER BY skey DESC NULLS LAST, k1 DESC, k2 DESC, k3 DESC, manual_position NULLS LAST)
     )`;
}

/** The columns of a ranked row, from `ranked` (or the cache, which stores the same names). */
export const RANKED_COLUMNS = `entry_id, code, title, category_id, status, sheets, missing, mean, median, min, max, sd, normalised,
            skey / 1e6::float8 AS score, k1 / 1e6::float8 AS k1, k2 / 1e6::float8 AS k2, k3 / 1e6::float8 AS k3, manual_position,
            rank, category_rank, tied, spread, missing_entries`;

/**
 * ResultRow's tie_key arrives as three float columns (cheaper to parse than an array) and is
 * assembled here, in place: copying 45,000 rows of 24 fields costs more than the parse saves.
 */
export type RankedRow = Omit<ResultRow, 'tie_key'> & { k1: number; k2: number; k3: number };

export function withTieKey(rows: RankedRow[]): ResultRow[] {
  for (const r of rows) (r as RankedRow & { tie_key: number[] }).tie_key = [r.k1, r.k2, r.k3];
  return rows as unknown as ResultRow[];
}

/** The ranking order: rank, then code (bytewise), spelled in the window's keys so the sort below the windows serves it. */
const RANKING_ORDER = 'ranked.skey DESC NULLS LAST, ranked.k1 DESC, ranked.k2 DESC, ranked.k3 DESC, ranked.manual_position NULLS LAST, ranked.code COLLATE "C"';

function roundResultsQuery(q: Queryable, o: ResultsQuery): Promise<ResultRow[]> {
  const paged = o.limit !== null && o.limit !== undefined;
  const filtered = Boolean(o.categoryId || o.spreadOnly || o.tiedOnly || o.maxRank || o.maxCategoryRank);
  const counts = paged || filtered;
  return rows<RankedRow>(
    q,
    `WITH ${rankingCtes({ counts })}
     SELECT ${RANKED_COLUMNS}, ${counts ? 'count(*) OVER ()::int' : 'NULL::int'} AS total_count
       FROM ranked
      WHERE ($6::bigint IS NULL OR category_id = $6)
        AND (NOT $7::boolean OR spread)
        AND (NOT $8::boolean OR tied)
        AND ($9::int IS NULL OR rank <= $9)
        AND ($10::int IS NULL OR category_rank <= $10)
      ORDER BY ${RANKING_ORDER}
      LIMIT $11 OFFSET $12`,
    [
      o.roundId,
      o.tieBreak,
      o.method,
      o.spreadShare,
      RANKABLE,
      ...pageFilterParams(o),
    ],
  ).then((r) => {
    if (!counts) {
      const missing = r.filter((row) => row.missing > 0).length;
      for (const row of r) {
        row.total_count = r.length;
        row.missing_entries = missing;
      }
    }
    return withTieKey(r);
  });
}

// ---------- the results cache (migrations/062) ----------

export interface ResultsCacheState {
  /** The round's results stamp now (0 before anything was ever bumped). */
  stamp: number;
  /** The stamp and tie-break key of the cached ranking, if there is one. */
  cached_stamp: number | null;
  cached_tie_break: number[] | null;
}

export function resultsCacheState(q: Queryable, roundId: number, method: string): Promise<ResultsCacheState> {
  return rows<ResultsCacheState>(
    q,
    `SELECT coalesce((SELECT stamp FROM results_stamps WHERE round_id = $1), 0) AS stamp,
            c.stamp AS cached_stamp, c.tie_break AS cached_tie_break
       FROM (SELECT 1) one LEFT JOIN results_cache c ON c.round_id = $1 AND c.method = $2`,
    [roundId, method],
  ).then((r) => r[0]!);
}

/** Serialises the cache fills of one round (the organisers who arrive together wait for the first one's result). */
export async function lockResultsCache(tx: Queryable, roundId: number): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock(41, $1::int)', [roundId]);
}

/**
 * Replaces the round's cached ranking for a method: the header first, with the stamp as this
 * statement sees it, then the rows from the ranking query, whose snapshot is the same or later.
 * A change committed in between leaves newer rows under an older stamp, which the next reader
 * finds stale and recomputes: never the other way round. Run inside a transaction (with
 * withResultsSettings), so readers see the old rows or the new ones, never none.
 */
export async function fillResultsCache(tx: Queryable, o: Pick<ResultsQuery, 'roundId' | 'tieBreak' | 'method' | 'spreadShare'>): Promise<void> {
  await execute(tx, 'DELETE FROM results_cache WHERE round_id = $1 AND method = $2', [o.roundId, o.method]);
  await execute(
    tx,
    `INSERT INTO results_cache (round_id, method, stamp, tie_break)
     VALUES ($1, $2, coalesce((SELECT stamp FROM results_stamps WHERE round_id = $1), 0), $3::bigint[])`,
    [o.roundId, o.method, o.tieBreak],
  );
  await execute(
    tx,
    `INSERT INTO results_cache_rows (round_id, method, entry_id, code, title, category_id, status, sheets, missing, mean, median, min, max, sd,
                                     normalised, skey, k1, k2, k3, manual_position, rank, category_rank, tied, spread, missing_entries)
     WITH ${rankingCtes({ counts: true })}
     SELECT $1, $3, entry_id, code, title, category_id, status, sheets, missing, mean, median, min, max, sd,
            normalised, skey, k1, k2, k3, manual_position, rank, category_rank, tied, spread, missing_entries
       FROM ranked`,
    [o.roundId, o.tieBreak, o.method, o.spreadShare, RANKABLE],
  );
}

export type CachedPageQuery = Pick<ResultsQuery, 'roundId' | 'method'> & PageFilters;

/** A page of the cached ranking, with the same filters and order as roundResults. */
export function cachedResultsPage(q: Queryable, o: CachedPageQuery): Promise<ResultRow[]> {
  return rows<RankedRow>(
    q,
    `SELECT ${RANKED_COLUMNS}, count(*) OVER ()::int AS total_count
       FROM results_cache_rows
      WHERE round_id = $1 AND method = $2
        AND ($3::bigint IS NULL OR category_id = $3)
        AND (NOT $4::boolean OR spread)
        AND (NOT $5::boolean OR tied)
        AND ($6::int IS NULL OR rank <= $6)
        AND ($7::int IS NULL OR category_rank <= $7)
      ORDER BY rank, code COLLATE "C"
      LIMIT $8 OFFSET $9`,
    [o.roundId, o.method, ...pageFilterParams(o)],
  ).then(withTieKey);
}

export interface SheetDetailRow {
  scoresheet_id: number;
  judge_id: number;
  judge_name: string;
  status: string;
  comment: string;
  submitted_at: Date | null;
  scores: Record<string, number>;
}

/** One entry's scoresheets in a round, with each criterion's value (keyed by criterion id). */
export function entrySheets(q: Queryable, roundId: number, entryId: number): Promise<SheetDetailRow[]> {
  return rows<SheetDetailRow>(
    q,
    `SELECT s.id AS scoresheet_id, s.judge_id, u.name AS judge_name, s.status, s.comment, s.submitted_at,
            coalesce((SELECT jsonb_object_agg(sc.criterion_id::text, sc.value::float8) FROM scores sc WHERE sc.scoresheet_id = s.id), '{}') AS scores
       FROM scoresheets s JOIN users u ON u.id = s.judge_id
      WHERE s.round_id = $1 AND s.entry_id = $2
      ORDER BY u.name, s.id`,
    [roundId, entryId],
  );
}

export interface EntryRef {
  id: number;
  code: string;
  title: string;
  status: string;
  category_id: number | null;
  contest_id: number;
}

export function findEntryByCode(q: Queryable, contestId: number, code: string): Promise<EntryRef | undefined> {
  return maybeOne<EntryRef>(q, 'SELECT id, code, title, status, category_id, contest_id FROM entries WHERE contest_id = $1 AND code = $2', [contestId, code]);
}

export function findEntryById(q: Queryable, contestId: number, id: number): Promise<EntryRef | undefined> {
  return maybeOne<EntryRef>(q, 'SELECT id, code, title, status, category_id, contest_id FROM entries WHERE contest_id = $1 AND id = $2', [contestId, id]);
}
