import type { Db } from '../../../src/db';
import { one, execute } from '../../../src/db';
import { createContest } from './contests';

/** Factories for the results feature (names unique to it, other features add their own). */

export interface ResultsCriterionSpec {
  name: string;
  weight?: number;
  min?: number;
  max?: number;
}

export interface ResultsRound {
  id: number;
  contestId: number;
  criteria: { id: number; name: string }[];
}

let roundPos = 0;

/** A scoring round with its criteria (default: one criterion "Nội dung", weight 1, scale 1–10). */
export async function createResultsRound(
  db: Db,
  contest: { id: number },
  o: { name?: string; position?: number; criteria?: ResultsCriterionSpec[]; entrySource?: 'all_eligible' | 'promoted'; state?: string; categoryId?: number | null } = {},
): Promise<ResultsRound> {
  roundPos += 1;
  const round = await one<{ id: number }>(
    db.pool,
    `INSERT INTO rounds (contest_id, position, name, kind, entry_source, state, category_id)
     VALUES ($1, $2, $3, 'scoring', $4, $5, $6) RETURNING id`,
    [contest.id, o.position ?? roundPos, o.name ?? `Vòng ${roundPos}`, o.entrySource ?? 'all_eligible', o.state ?? 'closed', o.categoryId ?? null],
  );
  const specs = o.criteria ?? [{ name: 'Nội dung' }];
  const criteria: { id: number; name: string }[] = [];
  for (const [i, c] of specs.entries()) {
    const row = await one<{ id: number }>(
      db.pool,
      `INSERT INTO criteria (round_id, name, weight, scale_min, scale_max, position) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [round.id, c.name, c.weight ?? 1, c.min ?? 1, c.max ?? 10, i],
    );
    criteria.push({ id: row.id, name: c.name });
  }
  return { id: round.id, contestId: contest.id, criteria };
}

/**
 * A judge's scoresheet for an entry in a round (with its assignment). `values` follow the
 * round's criteria in order; status 'draft' leaves it out of the results.
 */
export async function addResultsScoresheet(
  db: Db,
  round: ResultsRound,
  entryId: number,
  judgeId: number,
  values: number[] | null,
  status: 'draft' | 'submitted' = 'submitted',
): Promise<number> {
  await execute(db.pool, 'INSERT INTO round_judges (round_id, judge_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [round.id, judgeId]);
  const a = await one<{ id: number }>(
    db.pool,
    'INSERT INTO assignments (round_id, entry_id, judge_id) VALUES ($1, $2, $3) RETURNING id',
    [round.id, entryId, judgeId],
  );
  if (values === null) return a.id;
  const s = await one<{ id: number }>(
    db.pool,
    `INSERT INTO scoresheets (assignment_id, round_id, entry_id, judge_id, status, submitted_at)
     VALUES ($1, $2, $3, $4, $5, CASE WHEN $5 = 'submitted' THEN now() END) RETURNING id`,
    [a.id, round.id, entryId, judgeId, status],
  );
  for (const [i, v] of values.entries()) {
    await execute(db.pool, 'INSERT INTO scores (scoresheet_id, criterion_id, value) VALUES ($1, $2, $3)', [s.id, round.criteria[i]!.id, v]);
  }
  return s.id;
}

export async function createResultsCategory(db: Db, contest: { id: number }, name: string, position = 0): Promise<{ id: number; name: string }> {
  return one(db.pool, 'INSERT INTO categories (contest_id, name, position) VALUES ($1, $2, $3) RETURNING id, name', [contest.id, name, position]);
}

export async function createResultsPrizeTier(
  db: Db,
  contest: { id: number },
  o: { name: string; count?: number; position?: number; categoryId?: number | null; decidedBy?: 'judges' | 'engagement'; engagement?: unknown },
): Promise<{ id: number; name: string }> {
  return one(
    db.pool,
    `INSERT INTO prize_tiers (contest_id, name, count, position, category_id, decided_by, engagement)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id, name`,
    [contest.id, o.name, o.count ?? 1, o.position ?? 0, o.categoryId ?? null, o.decidedBy ?? 'judges', o.engagement === undefined ? null : JSON.stringify(o.engagement)],
  );
}

export async function addResultsSnapshot(db: Db, contest: { id: number }, entryId: number, at: Date, n: { views: number; likes?: number; comments?: number; shares?: number }) {
  await execute(
    db.pool,
    `INSERT INTO metric_snapshots (contest_id, entry_id, captured_at, views, likes, comments, shares, source) VALUES ($1, $2, $3, $4, $5, $6, $7, 'manual')`,
    [contest.id, entryId, at, n.views, n.likes ?? 0, n.comments ?? 0, n.shares ?? 0],
  );
}

let contestN = 0;
/** A contest with its own entry-code prefix (entry codes are unique across contests). */
export async function createResultsContest(db: Db, o: Partial<Record<string, unknown>> = {}) {
  contestN += 1;
  return createContest(db, { code_prefix: `R${contestN}X${Date.now() % 1000000}`.slice(0, 10), ...o });
}
