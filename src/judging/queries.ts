import type { Queryable } from '../db';
import { maybeOne, rows, statement } from '../db';
import type { OthersScores, RoundState } from './policy';

/** Named reads of the judging feature. Explicit columns; entrant data only where it is allowed. */

export interface RoundRow {
  id: number;
  contest_id: number;
  position: number;
  name: string;
  kind: 'screening' | 'scoring';
  entry_source: 'all_eligible' | 'promoted';
  category_id: number | null;
  blind: boolean;
  others_scores: OthersScores;
  assignment_mode: 'all' | 'n_per_entry';
  judges_per_entry: number | null;
  deadline_at: Date | null;
  state: RoundState;
  opened_at: Date | null;
  closed_at: Date | null;
}

export const ROUND_COLUMNS = `r.id, r.contest_id, r.position, r.name, r.kind, r.entry_source, r.category_id, r.blind, r.others_scores,
  r.assignment_mode, r.judges_per_entry, r.deadline_at, r.state, r.opened_at, r.closed_at`;

export interface CriterionRow {
  id: number;
  round_id: number;
  name: string;
  description: string;
  weight: number;
  scale_min: number;
  scale_max: number;
  step: number;
  position: number;
}

export function findRound(q: Queryable, id: number, lock = false): Promise<RoundRow | undefined> {
  return maybeOne<RoundRow>(q, `SELECT ${ROUND_COLUMNS} FROM rounds r WHERE r.id = $1 ${lock ? 'FOR UPDATE' : ''}`, [id]);
}

export function listRounds(q: Queryable, contestId: number): Promise<(RoundRow & { criteria: number; judges: number; entries: number })[]> {
  return rows(
    q,
    `SELECT ${ROUND_COLUMNS},
            (SELECT count(*)::int FROM criteria c WHERE c.round_id = r.id) AS criteria,
            (SELECT count(*)::int FROM round_judges j WHERE j.round_id = r.id) AS judges,
            (SELECT count(*)::int FROM round_entries e WHERE e.round_id = r.id) AS entries
       FROM rounds r WHERE r.contest_id = $1 ORDER BY r.position`,
    [contestId],
  );
}

export function listCriteria(q: Queryable, roundId: number): Promise<CriterionRow[]> {
  return rows<CriterionRow>(
    q,
    'SELECT id, round_id, name, description, weight, scale_min, scale_max, step, position FROM criteria WHERE round_id = $1 ORDER BY position, id',
    [roundId],
  );
}

export function listPanel(q: Queryable, roundId: number): Promise<{ id: number; name: string; email: string; organisation: string | null }[]> {
  return rows(
    q,
    `SELECT u.id, u.name, u.email::text AS email, u.organisation FROM round_judges rj JOIN users u ON u.id = rj.judge_id
      WHERE rj.round_id = $1 ORDER BY u.name, u.id`,
    [roundId],
  );
}

export function listJudgeAccounts(q: Queryable): Promise<{ id: number; name: string; email: string }[]> {
  return rows(q, `SELECT id, name, email::text AS email FROM users WHERE role = 'judge' AND disabled_at IS NULL ORDER BY name, id`);
}

export function listConflicts(q: Queryable, contestId: number) {
  return rows<{ id: number; judge_name: string; entry_code: string | null; organisation: string | null; source: string; reason: string }>(
    q,
    `SELECT c.id, u.name AS judge_name, e.code AS entry_code, c.organisation, c.source, c.reason
       FROM conflicts c JOIN users u ON u.id = c.judge_id LEFT JOIN entries e ON e.id = c.entry_id
      WHERE c.contest_id = $1 ORDER BY c.id DESC LIMIT 200`,
    [contestId],
  );
}

/** The judge's rounds (open or closed) with their progress. */
export function judgeRounds(q: Queryable, judgeId: number) {
  return rows<{
    id: number; name: string; kind: string; state: RoundState; deadline_at: Date | null; contest_title: string; time_zone: string;
    total: number; done: number; drafts: number;
  }>(
    q,
    `SELECT r.id, r.name, r.kind, r.state, r.deadline_at, c.title AS contest_title, c.time_zone,
            cardinality(rj.queue) AS total, coalesce(s.done, 0) AS done, coalesce(s.drafts, 0) AS drafts
       FROM round_judges rj
       JOIN rounds r ON r.id = rj.round_id
       JOIN contests c ON c.id = r.contest_id
       LEFT JOIN LATERAL (
         SELECT count(*) FILTER (WHERE status = 'submitted')::int AS done, count(*) FILTER (WHERE status = 'draft')::int AS drafts
           FROM scoresheets WHERE judge_id = rj.judge_id AND round_id = rj.round_id) s ON true
      WHERE rj.judge_id = $1 AND r.state IN ('open', 'closed')
      ORDER BY (r.state = 'open') DESC, r.deadline_at NULLS LAST, r.id`,
    [judgeId],
  );
}

export type QueueFilter = 'all' | 'todo' | 'draft' | 'done';

/** One page of a judge's queue, in entry order (stable across visits). */
export function judgeQueue(q: Queryable, judgeId: number, roundId: number, filter: QueueFilter, search: string, limit: number, offset: number) {
  return rows<{ code: string; title: string; category: string | null; status: 'draft' | 'submitted' | null; updated_at: Date | null; total_rows: number }>(
    q,
    `SELECT e.code, e.title, cat.name AS category, s.status, s.updated_at, count(*) OVER ()::int AS total_rows
       FROM assignments a
       JOIN entries e ON e.id = a.entry_id
       LEFT JOIN categories cat ON cat.id = e.category_id
       LEFT JOIN scoresheets s ON s.assignment_id = a.id
      WHERE a.round_id = $1 AND a.judge_id = $2
        AND ($3 = 'all' OR ($3 = 'todo' AND s.id IS NULL) OR ($3 = 'draft' AND s.status = 'draft') OR ($3 = 'done' AND s.status = 'submitted'))
        AND ($4 = '' OR e.search_text LIKE '%' || lower(f_unaccent($4)) || '%')
      ORDER BY a.entry_id
      LIMIT $5 OFFSET $6`,
    [roundId, judgeId, filter, search, limit, offset],
  );
}

/** What a judge may see of an entry: never phone, email, national id, address or birth date. */
export interface JudgeEntryRow {
  assignment_id: number;
  entry_id: number;
  code: string;
  title: string;
  description: string;
  category: string | null;
  video_id: string | null;
  video_file_id: number | null;
  entrant_display_name: string;
  entrant_organisation: string | null;
  entrant_province: string | null;
  tiktok_url: string | null;
}

/**
 * The round (open or closed, with the judge on its panel) and the entry assigned to the judge,
 * in one query; nothing when any of these does not hold.
 */
export function findJudgeRoundEntry(q: Queryable, roundId: number, judgeId: number, code: string): Promise<(JudgeEntryRow & { round: RoundRow }) | undefined> {
  // A function (migrations/065) so that the six-table join is planned once per session.
  return maybeOne<JudgeEntryRow & { round: RoundRow }>(q, 'SELECT * FROM judge_round_entry($1, $2, $3)', [roundId, judgeId, code]);
}

export function findAssignedEntry(q: Queryable, roundId: number, judgeId: number, code: string): Promise<JudgeEntryRow | undefined> {
  return maybeOne<JudgeEntryRow>(
    q,
    `SELECT a.id AS assignment_id, e.id AS entry_id, e.code, e.title, e.description, cat.name AS category, e.video_id, e.video_file_id,
            coalesce(en.display_name, en.full_name) AS entrant_display_name, en.organisation AS entrant_organisation,
            en.province AS entrant_province, e.canonical_url AS tiktok_url
       FROM rounds r
       JOIN entries e ON e.contest_id = r.contest_id AND e.code = $3
       JOIN assignments a ON a.entry_id = e.id AND a.round_id = r.id AND a.judge_id = $2
       JOIN entrants en ON en.id = e.entrant_id
       LEFT JOIN categories cat ON cat.id = e.category_id
      WHERE r.id = $1`,
    [roundId, judgeId, code],
  );
}

export interface SheetRow {
  id: number;
  assignment_id: number;
  status: 'draft' | 'submitted';
  verdict: 'eligible' | 'not_eligible' | null;
  comment: string;
  version: number;
  submitted_at: Date | null;
  updated_at: Date;
  scores: Record<string, number> | null;
}

export function findSheetByAssignment(q: Queryable, assignmentId: number, lock = false): Promise<SheetRow | undefined> {
  return maybeOne<SheetRow>(
    q,
    `SELECT s.id, s.assignment_id, s.status, s.verdict, s.comment, s.version, s.submitted_at, s.updated_at,
            (SELECT jsonb_object_agg(sc.criterion_id::text, sc.value) FROM scores sc WHERE sc.scoresheet_id = s.id) AS scores
       FROM scoresheets s WHERE s.assignment_id = $1 ${lock ? 'FOR UPDATE' : ''}`,
    [assignmentId],
  );
}

export interface QueuePlace {
  position: number;
  total: number;
  prev_code: string | null;
  next_code: string | null;
}

export type ScoringScreenRow = JudgeEntryRow & {
  round: RoundRow;
  sheet_id: number | null;
  sheet_status: SheetRow['status'] | null;
  sheet_verdict: SheetRow['verdict'];
  sheet_comment: string | null;
  sheet_version: number | null;
  sheet_submitted_at: Date | null;
  sheet_updated_at: Date | null;
  sheet_scores: Record<string, number> | null;
  queue_position: number | null;
  queue_total: number | null;
  prev_code: string | null;
  next_code: string | null;
};

/**
 * The scoring screen in one round trip: the entry and round (judge_round_entry, the same 404 rule
 * as findJudgeRoundEntry), the judge's scoresheet, and the place in the queue from the judge's
 * queue array read once (migrations/065). The embedded engine pays per query, not per row.
 */
const FIND_SCORING_SCREEN = statement(
  'judging.findScoringScreen',
  `SELECT je.*,
          s.id AS sheet_id, s.status AS sheet_status, s.verdict AS sheet_verdict, s.comment AS sheet_comment,
          s.version AS sheet_version, s.submitted_at AS sheet_submitted_at, s.updated_at AS sheet_updated_at,
          (SELECT jsonb_object_agg(sc.criterion_id::text, sc.value) FROM scores sc WHERE sc.scoresheet_id = s.id) AS sheet_scores,
          qn.queue_position, qn.total AS queue_total, qn.prev_code, qn.next_code
     FROM judge_round_entry($1, $2, $3) je
     LEFT JOIN scoresheets s ON s.assignment_id = je.assignment_id
     LEFT JOIN LATERAL judge_queue_neighbours($1, $2, je.entry_id) qn ON true`,
);

export function findScoringScreen(q: Queryable, roundId: number, judgeId: number, code: string): Promise<ScoringScreenRow | undefined> {
  return maybeOne<ScoringScreenRow>(q, FIND_SCORING_SCREEN, [roundId, judgeId, code]);
}

/** The judge's next entry without a submitted scoresheet, after this one (wrapping around). */
export async function nextToDo(q: Queryable, roundId: number, judgeId: number, entryId: number): Promise<string | null> {
  const r = await maybeOne<{ code: string | null }>(
    q,
    `SELECT (SELECT e.code FROM entries e WHERE e.id = coalesce(
               (SELECT a.entry_id FROM assignments a WHERE a.round_id = $1 AND a.judge_id = $2 AND a.entry_id > $3
                   AND NOT EXISTS (SELECT 1 FROM scoresheets s WHERE s.assignment_id = a.id AND s.status = 'submitted')
                 ORDER BY a.entry_id LIMIT 1),
               (SELECT a.entry_id FROM assignments a WHERE a.round_id = $1 AND a.judge_id = $2 AND a.entry_id < $3
                   AND NOT EXISTS (SELECT 1 FROM scoresheets s WHERE s.assignment_id = a.id AND s.status = 'submitted')
                 ORDER BY a.entry_id LIMIT 1))) AS code`,
    [roundId, judgeId, entryId],
  );
  return r?.code ?? null;
}

/** Other judges' submitted scoresheets of an entry (shown only when the round allows it). */
const OTHER_SHEETS = statement(
  'judging.otherSheets',
  `SELECT u.name AS judge_name, s.comment,
          (SELECT jsonb_object_agg(sc.criterion_id::text, sc.value) FROM scores sc WHERE sc.scoresheet_id = s.id) AS scores
     FROM scoresheets s JOIN users u ON u.id = s.judge_id
    WHERE s.round_id = $1 AND s.entry_id = $2 AND s.judge_id <> $3 AND s.status = 'submitted'
    ORDER BY u.name`,
);

export function otherSheets(q: Queryable, roundId: number, entryId: number, judgeId: number) {
  return rows<{ judge_name: string; comment: string; scores: Record<string, number> | null }>(q, OTHER_SHEETS, [roundId, entryId, judgeId]);
}

/** Per-judge progress of a round. */
export function roundProgress(q: Queryable, roundId: number) {
  return rows<{ judge_id: number; name: string; email: string; total: number; done: number; drafts: number }>(
    q,
    `SELECT u.id AS judge_id, u.name, u.email::text AS email, count(a.id)::int AS total,
            count(s.id) FILTER (WHERE s.status = 'submitted')::int AS done,
            count(s.id) FILTER (WHERE s.status = 'draft')::int AS drafts
       FROM round_judges rj JOIN users u ON u.id = rj.judge_id
       LEFT JOIN assignments a ON a.round_id = rj.round_id AND a.judge_id = rj.judge_id
       LEFT JOIN scoresheets s ON s.assignment_id = a.id
      WHERE rj.round_id = $1
      GROUP BY u.id ORDER BY u.name, u.id`,
    [roundId],
  );
}

/** Entries of a round with the weighted total of each submitted scoresheet, the mean and the spread. */
export function roundScoreTable(q: Queryable, roundId: number, limit: number, offset: number) {
  return rows<{ entry_id: number; code: string; title: string; assigned: number; submitted: number; mean: number | null; spread: number | null; sheets: { id: number; judge: string; status: string; total: number | null }[]; total_rows: number }>(
    q,
    `WITH totals AS (
       SELECT s.id, s.entry_id, s.judge_id, s.status,
              round(100 * sum(c.weight * (sc.value - c.scale_min) / (c.scale_max - c.scale_min)) / nullif(sum(c.weight), 0), 2) AS total
         FROM scoresheets s
         LEFT JOIN scores sc ON sc.scoresheet_id = s.id
         LEFT JOIN criteria c ON c.id = sc.criterion_id
        WHERE s.round_id = $1
        GROUP BY s.id)
     SELECT e.id AS entry_id, e.code, e.title,
            (SELECT count(*)::int FROM assignments a WHERE a.round_id = $1 AND a.entry_id = e.id) AS assigned,
            count(t.id) FILTER (WHERE t.status = 'submitted')::int AS submitted,
            round(avg(t.total) FILTER (WHERE t.status = 'submitted'), 2) AS mean,
            (max(t.total) FILTER (WHERE t.status = 'submitted') - min(t.total) FILTER (WHERE t.status = 'submitted')) AS spread,
            coalesce(jsonb_agg(jsonb_build_object('id', t.id, 'judge', u.name, 'status', t.status, 'total', t.total) ORDER BY u.name)
                     FILTER (WHERE t.id IS NOT NULL), '[]') AS sheets,
            count(*) OVER ()::int AS total_rows
       FROM round_entries re
       JOIN entries e ON e.id = re.entry_id
       LEFT JOIN totals t ON t.entry_id = e.id
       LEFT JOIN users u ON u.id = t.judge_id
      WHERE re.round_id = $1
      GROUP BY e.id
      ORDER BY spread DESC NULLS LAST, e.id
      LIMIT $2 OFFSET $3`,
    [roundId, limit, offset],
  );
}

export function findSheetForOrganiser(q: Queryable, roundId: number, sheetId: number) {
  return maybeOne<{ id: number; status: string; comment: string; version: number; judge_name: string; code: string; title: string; entry_id: number; updated_at: Date; scores: Record<string, number> | null }>(
    q,
    `SELECT s.id, s.status, s.comment, s.version, u.name AS judge_name, e.code, e.title, e.id AS entry_id, s.updated_at,
            (SELECT jsonb_object_agg(sc.criterion_id::text, sc.value) FROM scores sc WHERE sc.scoresheet_id = s.id) AS scores
       FROM scoresheets s JOIN users u ON u.id = s.judge_id JOIN entries e ON e.id = s.entry_id
      WHERE s.round_id = $1 AND s.id = $2`,
    [roundId, sheetId],
  );
}

export function sheetHistory(q: Queryable, sheetId: number) {
  return rows<{ version: number; status: string; scores: Record<string, number>; comment: string; changed_by_name: string | null; changed_at: Date }>(
    q,
    `SELECT h.version, h.status, h.scores, h.comment, u.name AS changed_by_name, h.changed_at
       FROM scoresheet_history h LEFT JOIN users u ON u.id = h.changed_by
      WHERE h.scoresheet_id = $1 ORDER BY h.version DESC, h.id DESC`,
    [sheetId],
  );
}
