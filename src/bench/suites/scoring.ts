import { createApp } from '../../app';
import { rows } from '../../db';
import { createLogger } from '../../shared/logger';
import { startBaseline, startPortal } from '../baseline';
import { generateSeedContest, BENCH_JUDGE_PASSWORD, SEED_SCALE } from '../generate';
import { BenchSession } from '../http';
import { runLoad } from '../load';
import type { BenchSuite } from '../types';

const SESSIONS = 20;
const REQUESTS = 2000;

/**
 * Issue 5's bar: the judge's scoring screen with 45,304 entries and 10 judges in the database,
 * 20 concurrent judge sessions each opening random clips assigned to them. Goal: p95 < 100 ms.
 * Baseline: a bare endpoint running the queries that screen needs (the entry through the judge's
 * assignment, the round's criteria, the judge's scoresheet and scores), at the same concurrency.
 */
export const scoringSuite: BenchSuite = {
  name: 'scoring',
  describe: `GET /judging/rounds/:id/entries/:code, 45,304 entries, 10 judges, ${SESSIONS} concurrent sessions`,
  async run(env, log) {
    const t0 = Date.now();
    const g = await generateSeedContest(env.db.pool, { ...SEED_SCALE, draftEvery: 4 });
    log(`generated the seed-scale contest in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const assigned = new Map<number, string[]>();
    for (const r of await rows<{ judge_id: number; code: string }>(env.db.pool, `SELECT a.judge_id, e.code FROM assignments a JOIN entries e ON e.id = a.entry_id WHERE a.round_id = $1`, [g.roundId])) {
      // Appended in place: copying the list for each of 135,912 rows took 18 s of the set-up.
      const codes = assigned.get(r.judge_id);
      if (codes) codes.push(r.code);
      else assigned.set(r.judge_id, [r.code]);
    }
    const app = createApp({ config: env.config, db: env.db, logger: createLogger('silent'), sessionSecret: 'x'.repeat(40), pruneSessions: false });
    const portal = await startPortal(app);
    const bare = await startBaseline(env.db.pool, {
      scoring: async (req) => {
        const judgeId = Number(req.query.judge);
        const code = String(req.query.code);
        const entry = await rows(env.db.pool,
          `SELECT e.id, e.code, e.title, e.description, e.category_id, e.video_id, a.id AS assignment_id
             FROM assignments a JOIN entries e ON e.id = a.entry_id WHERE a.round_id = $1 AND a.judge_id = $2 AND e.code = $3`, [g.roundId, judgeId, code]);
        const criteria = await rows(env.db.pool, 'SELECT id, name, description, weight, scale_min, scale_max, step FROM criteria WHERE round_id = $1 ORDER BY position', [g.roundId]);
        const sheet = await rows(env.db.pool,
          `SELECT s.id, s.status, s.comment, s.version, sc.criterion_id, sc.value FROM scoresheets s LEFT JOIN scores sc ON sc.scoresheet_id = s.id
            WHERE s.assignment_id = $1`, [(entry[0] as { assignment_id?: number } | undefined)?.assignment_id ?? 0]);
        return { entry, criteria, sheet };
      },
    });
    try {
      const sessions: { judgeId: number; session: BenchSession }[] = [];
      for (let i = 0; i < SESSIONS; i++) {
        const judge = g.judges[i % g.judges.length]!;
        const s = new BenchSession(portal.url);
        await s.login(judge.email, BENCH_JUDGE_PASSWORD);
        sessions.push({ judgeId: judge.id, session: s });
      }
      // A deterministic spread of clips: request i of session k takes the (i·7919)th clip of that judge.
      const pick = (i: number) => {
        const s = sessions[i % SESSIONS]!;
        const codes = assigned.get(s.judgeId)!;
        return { s, code: codes[(i * 7919) % codes.length]! };
      };
      await runLoad(portal.url, SESSIONS, 200, (i) => {
        const { s, code } = pick(i);
        return { method: 'GET', path: `/judging/rounds/${g.roundId}/entries/${code}`, headers: { cookie: s.session.cookieHeader } };
      });
      const base = await runLoad(bare.url, SESSIONS, REQUESTS, (i) => {
        const { s, code } = pick(i);
        return { method: 'GET', path: `/bare/scoring?judge=${s.judgeId}&code=${code}` };
      });
      const ours = await runLoad(portal.url, SESSIONS, REQUESTS, (i) => {
        const { s, code } = pick(i);
        return { method: 'GET', path: `/judging/rounds/${g.roundId}/entries/${code}`, headers: { cookie: s.session.cookieHeader } };
      });
      log(`scoring: p95 ${ours.p95.toFixed(1)} ms vs bare ${base.p95.toFixed(1)} ms; statuses ${JSON.stringify(ours.statuses)}`);
      return [
        { benchmark: `scoring screen, 45,304 entries, ${SESSIONS} judges at once`, measure: 'p50 / p95', value: `${ours.p50.toFixed(1)} / ${ours.p95.toFixed(1)} ms`, baseline: `${base.p50.toFixed(1)} / ${base.p95.toFixed(1)} ms (bare queries)`, goal: 'p95 < 100 ms', pass: ours.p95 < 100 },
        { benchmark: `scoring screen, 45,304 entries, ${SESSIONS} judges at once`, measure: 'throughput, answers', value: `${ours.throughput.toFixed(0)} req/s, ${JSON.stringify(ours.statuses)}`, baseline: `${base.throughput.toFixed(0)} req/s`, goal: 'all 200', pass: (ours.statuses[200] ?? 0) === REQUESTS },
      ];
    } finally {
      await portal.close();
      await bare.close();
    }
  },
};
