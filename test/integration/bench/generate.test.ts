import { generateSeedContest } from '../../../src/bench/generate';
import { resetDb, testDb } from '../../helpers/db';

const db = testDb();
beforeAll(() => resetDb(db.pool));
afterAll(() => db.close());

test('the seed-scale generator writes consistent data (small scale)', async () => {
  const g = await generateSeedContest(db.pool, { entries: 200, judges: 7, sheetsPerEntry: 3, shortlist: 20, snapshotsPerEntry: 3, draftEvery: 10 });
  const q = async (sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows;
  const [counts] = await q(
    `SELECT (SELECT count(*) FROM entries WHERE contest_id = $1)::int AS entries,
            (SELECT count(DISTINCT video_id) FROM entries WHERE contest_id = $1)::int AS videos,
            (SELECT count(*) FROM assignments WHERE round_id = $2)::int AS assignments,
            (SELECT count(*) FROM scoresheets WHERE round_id = $2 AND status = 'submitted')::int AS submitted,
            (SELECT count(*) FROM scores s JOIN scoresheets sh ON sh.id = s.scoresheet_id WHERE sh.round_id = $2)::int AS scores,
            (SELECT count(*) FROM round_entries WHERE round_id = $3)::int AS shortlist,
            (SELECT count(*) FROM metric_snapshots WHERE contest_id = $1)::int AS snapshots`,
    [g.contestId, g.roundId, g.round2Id],
  );
  expect(counts).toEqual({ entries: 200, videos: 200, assignments: 600, submitted: 540, scores: 3000, shortlist: 20, snapshots: 600 });

  // Each entry has three distinct judges; loads differ by at most one.
  const perEntry = await q(`SELECT count(DISTINCT judge_id)::int AS n FROM assignments WHERE round_id = $1 GROUP BY entry_id`, [g.roundId]);
  expect(new Set(perEntry.map((r) => r.n))).toEqual(new Set([3]));
  const loads = (await q(`SELECT count(*)::int AS n FROM assignments WHERE round_id = $1 GROUP BY judge_id`, [g.roundId])).map((r) => r.n);
  expect(loads).toHaveLength(7);
  expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(1);

  // Video ids carry their posting time in the top 32 bits, inside September 2021 or just before.
  const [range] = await q(`SELECT min(posted_at) AS lo, max(created_at) AS hi FROM entries WHERE contest_id = $1`, [g.contestId]);
  expect(new Date(range.lo).getTime()).toBeGreaterThanOrEqual(Date.parse('2021-08-30T17:00:00Z'));
  expect(new Date(range.hi).getTime()).toBeLessThanOrEqual(Date.parse('2021-09-30T16:59:00Z'));
  const [one] = await q(`SELECT video_id, posted_at FROM entries WHERE contest_id = $1 ORDER BY seq LIMIT 1`, [g.contestId]);
  expect(Number(BigInt(one.video_id) >> 32n)).toBe(Math.floor(new Date(one.posted_at).getTime() / 1000));
  // Scores stay within the scale.
  const [bounds] = await q(`SELECT min(value)::float8 AS lo, max(value)::float8 AS hi FROM scores`);
  expect(bounds).toEqual({ lo: 1, hi: 10 });
});
