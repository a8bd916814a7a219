import { createApp } from '../../app';
import { contestCounters, contestOverview } from '../../contests/service';
import { findContestBySlug, listPublicContests } from '../../contests/queries';
import { createLogger } from '../../shared/logger';
import { startBaseline, startPortal } from '../baseline';
import { generateSeedContest, SEED_SCALE } from '../generate';
import { runLoad } from '../load';
import type { BenchSuite } from '../types';

const CONNECTIONS = 50;
const REQUESTS = 2000;
const SLUG = 'thoi-khac-kho-quen-bench';

/**
 * Launch day: the public contest page and the home page under 50 concurrent visitors, with the
 * contest at seed scale (45,304 entries, two engagement snapshots each, so the counters add up
 * 90,608 snapshots). Baseline: a bare endpoint running the same queries the page needs.
 */
export const contestPageSuite: BenchSuite = {
  name: 'contest-page',
  describe: `GET /c/:slug and GET /, 45,304 entries with 2 snapshots each, ${CONNECTIONS} concurrent visitors`,
  async run(env, log) {
    const t0 = Date.now();
    await generateSeedContest(env.db.pool, { ...SEED_SCALE, snapshotsPerEntry: 2, draftEvery: 0 }, SLUG);
    log(`generated the seed-scale contest in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const app = createApp({ config: env.config, db: env.db, logger: createLogger('silent'), sessionSecret: 'x'.repeat(40), pruneSessions: false });
    const portal = await startPortal(app);
    const bare = await startBaseline(env.db.pool, {
      contest: async () => {
        const c = await findContestBySlug(env.db.pool, SLUG);
        return { c, o: c ? await contestOverview(env.db.pool, c) : null };
      },
      home: async () => {
        const list = await listPublicContests(env.db.pool, new Date(), 12, 0);
        return Promise.all(list.map(async (c) => ({ ...c, counters: await contestCounters(env.db.pool, c) })));
      },
    });
    try {
      await runLoad(portal.url, CONNECTIONS, 200, () => ({ method: 'GET', path: `/c/${SLUG}` }));
      const rowsOut = [];
      for (const [label, ours, theirs] of [
        ['contest page', `/c/${SLUG}`, '/bare/contest'],
        ['home page', '/', '/bare/home'],
      ] as const) {
        const base = await runLoad(bare.url, CONNECTIONS, REQUESTS, () => ({ method: 'GET', path: theirs }));
        const r = await runLoad(portal.url, CONNECTIONS, REQUESTS, () => ({ method: 'GET', path: ours }));
        log(`${label}: p95 ${r.p95.toFixed(1)} ms vs bare ${base.p95.toFixed(1)} ms; statuses ${JSON.stringify(r.statuses)}`);
        rowsOut.push(
          { benchmark: `${label}, 45,304 entries, ${CONNECTIONS} visitors at once`, measure: 'p50 / p95', value: `${r.p50.toFixed(1)} / ${r.p95.toFixed(1)} ms`, baseline: `${base.p50.toFixed(1)} / ${base.p95.toFixed(1)} ms (bare queries)`, goal: 'p95 < 200 ms', pass: r.p95 < 200 },
          { benchmark: `${label}, 45,304 entries, ${CONNECTIONS} visitors at once`, measure: 'throughput, answers', value: `${r.throughput.toFixed(0)} req/s, ${JSON.stringify(r.statuses)}`, baseline: `${base.throughput.toFixed(0)} req/s`, goal: 'all 200', pass: (r.statuses[200] ?? 0) === REQUESTS },
        );
      }
      return rowsOut;
    } finally {
      await portal.close();
      await bare.close();
    }
  },
};
