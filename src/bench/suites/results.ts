import { rows } from '../../db';
import { findContestById } from '../../contests/queries';
import { computeResults, loadRound } from '../../results/service';
import { generateSeedContest, SEED_SCALE } from '../generate';
import type { BenchSuite } from '../types';

const RUNS = 5;

async function medianMs(fn: () => Promise<unknown>): Promise<number> {
  await fn(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(RUNS / 2)]!;
}

/**
 * Issue 6's bar: a round's results for 45,304 entries × 3 scoresheets × 5 criteria (mean, median,
 * min, max, sd, missing, normalisation, tie-break key, ranks) against the bare SQL aggregate (each
 * scoresheet's weighted total, averaged per entry, ordered) measured in the same run.
 * Goal: under 1 s and at most 2× the bare query.
 */
export const resultsSuite: BenchSuite = {
  name: 'results',
  describe: 'round results for 45,304 entries × 3 scoresheets × 5 criteria vs the bare SQL aggregate',
  async run(env, log) {
    const t0 = Date.now();
    const g = await generateSeedContest(env.db.pool, SEED_SCALE);
    log(`generated the seed-scale contest in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    await env.db.pool.query('ANALYZE');
    const pool = env.db.pool;
    await pool.query(`UPDATE contests SET tie_break = '[{"kind": "scoresheets"}]' WHERE id = $1`, [g.contestId]);
    const contest = (await findContestById(pool, g.contestId))!;
    const round = await loadRound(pool, contest, g.roundId);
    const bare = await medianMs(() =>
      rows(pool,
        `SELECT t.entry_id, avg(t.total) AS mean FROM (
           SELECT s.entry_id, sum(c.weight * sc.value) / sum(c.weight) AS total
             FROM scoresheets s JOIN scores sc ON sc.scoresheet_id = s.id JOIN criteria c ON c.id = sc.criterion_id
            WHERE s.round_id = $1 AND s.status = 'submitted' GROUP BY s.id, s.entry_id) t
          GROUP BY t.entry_id ORDER BY mean DESC`, [g.roundId]),
    );
    let count = 0;
    const plainAll = await medianMs(async () => {
      count = (await computeResults(pool, contest, round, { method: 'plain', pageSize: null })).rows.length;
    });
    const normalisedAll = await medianMs(() => computeResults(pool, contest, round, { method: 'normalised', pageSize: null }));
    const page = await medianMs(() => computeResults(pool, contest, round, { method: 'plain', page: 10 }));
    log(`results: ${count} entries; full ${plainAll.toFixed(0)} ms, normalised ${normalisedAll.toFixed(0)} ms, one page ${page.toFixed(0)} ms; bare ${bare.toFixed(0)} ms`);
    const goal = 'under 1 s and ≤ 2× bare';
    const ok = (ms: number) => ms < 1000 && ms <= 2 * bare;
    const label = '45,304 entries × 3 sheets × 5 criteria';
    return [
      { benchmark: `results, ${label}`, measure: 'all entries ranked (plain), median of 5', value: `${plainAll.toFixed(0)} ms`, baseline: `${bare.toFixed(0)} ms (bare aggregate)`, goal, pass: ok(plainAll) && count === SEED_SCALE.entries },
      { benchmark: `results, ${label}`, measure: 'all entries ranked (normalised), median of 5', value: `${normalisedAll.toFixed(0)} ms`, baseline: `${bare.toFixed(0)} ms (bare aggregate)`, goal, pass: ok(normalisedAll) },
      { benchmark: `results, ${label}`, measure: 'one ranking page (50), median of 5', value: `${page.toFixed(0)} ms`, baseline: `${bare.toFixed(0)} ms (bare aggregate)`, goal, pass: ok(page) },
    ];
  },
};
