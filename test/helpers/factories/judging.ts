import type { Db } from '../../../src/db';
import { one, rows } from '../../../src/db';
import { createContest, createEntry } from './contests';
import { createStaff } from './staff';

/**
 * A contest with a judging round: criteria (the article's four, 1–10), a panel of judges and
 * eligible entries. The round stays a draft unless `open` is set (then it is opened through
 * the service by the caller, or set open directly with `rawOpen`).
 */
let judgingSeq = 0;

export async function createJudgingRound(
  db: Db,
  o: { judges?: number; entries?: number; blind?: boolean; mode?: 'all' | 'n_per_entry'; n?: number; others?: 'never' | 'after_own' | 'always'; kind?: 'scoring' | 'screening' } = {},
) {
  judgingSeq += 1;
  const contest = await createContest(db, { state: 'judging', code_prefix: `JG${judgingSeq}${Date.now() % 1000}` });
  const judges = [];
  for (let i = 0; i < (o.judges ?? 2); i++) judges.push(await createStaff(db, { role: 'judge' }));
  const entries = [];
  for (let i = 0; i < (o.entries ?? 3); i++) {
    entries.push(await createEntry(db, contest, { status: 'eligible', full_name: `Trần Thị Bí Mật ${i}`, email: `secret${i}-${contest.id}@example.test`, organisation: `Bệnh viện ${i % 2}` }));
  }
  const round = await one<{ id: number }>(
    db.pool,
    `INSERT INTO rounds (contest_id, position, name, kind, blind, others_scores, assignment_mode, judges_per_entry)
     VALUES ($1, 1, 'Vòng 1', $2, $3, $4, $5, $6) RETURNING id`,
    [contest.id, o.kind ?? 'scoring', o.blind ?? true, o.others ?? 'after_own', o.mode ?? 'all', (o.mode ?? 'all') === 'n_per_entry' ? o.n ?? 1 : null],
  );
  const criteria = await rows<{ id: number }>(
    db.pool,
    `INSERT INTO criteria (round_id, name, description, weight, scale_min, scale_max, step, position) VALUES
       ($1, 'Ý tưởng / Idea', 'Độc đáo', 30, 1, 10, 1, 1),
       ($1, 'Cảm xúc / Emotion', 'Chạm đến người xem', 30, 1, 10, 1, 2),
       ($1, 'Kỹ thuật quay dựng / Craft', 'Hình ảnh, âm thanh', 20, 1, 10, 1, 3),
       ($1, 'Thông điệp / Message', 'Rõ ràng', 20, 1, 10, 1, 4)
     RETURNING id`,
    [round.id],
  );
  for (const j of judges) await db.pool.query('INSERT INTO round_judges (round_id, judge_id) VALUES ($1, $2)', [round.id, j.id]);
  return { contest, judges, entries, roundId: round.id, criteria: criteria.map((c) => c.id) };
}

/** Many eligible entries at once (set-based), for assignment tests at scale. */
export async function createJudgingEntriesBulk(db: Db, contest: { id: number; code_prefix: string }, n: number, organisationEvery = 0): Promise<number[]> {
  const base = await one<{ b: number }>(db.pool, 'SELECT reserve_entry_numbers($1, $2) AS b', [contest.id, n]);
  const r = await rows<{ id: number }>(
    db.pool,
    `WITH en AS (
       INSERT INTO entrants (contest_id, full_name, email, organisation)
       SELECT $1::bigint, 'Bulk ' || i, 'bulk' || i || '-' || $1::text || '@example.test', CASE WHEN $3::int > 0 AND i % $3::int = 0 THEN 'Org X' END
         FROM generate_series($5::int + 1, $5::int + $2::int) i RETURNING id, email)
     INSERT INTO entries (contest_id, entrant_id, seq, code, title, tiktok_url_input, status, consent_at, consent_rules_version)
     SELECT $1::bigint, en.id, x.i, $4::text || '-' || lpad(x.i::text, 6, '0'), 'Bulk ' || x.i, 'https://www.tiktok.com/@u/video/1', 'eligible', now(), 1
       FROM en CROSS JOIN LATERAL (SELECT substring(en.email FROM 'bulk([0-9]+)-')::int AS i) x
     RETURNING id`,
    [contest.id, n, organisationEvery, contest.code_prefix, base.b],
  );
  return r.map((x) => x.id);
}
