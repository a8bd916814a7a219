import { createApp } from '../../app';
import { one } from '../../db';
import { createLogger } from '../../shared/logger';
import { startBaseline, startPortal } from '../baseline';
import { runLoad } from '../load';
import type { BenchSuite } from '../types';

const CONNECTIONS = 50;
const REQUESTS = 3000;

/**
 * Issue 4's bar: the JSON submit path (unique links, unique entrants) at 50 connections against a
 * bare Express + pg endpoint doing one INSERT on the same database. Goals: throughput ≥ 0.5× the
 * bare endpoint, p99 < 250 ms, and as many entries in the table as 201 answers.
 */
export const submitSuite: BenchSuite = {
  name: 'submit',
  describe: `POST /api/v1/contests/:slug/entries (JSON, unique links) vs a bare one-INSERT endpoint, ${CONNECTIONS} connections, ${REQUESTS} requests each`,
  async run(env, log) {
    const contest = await one<{ id: number; slug: string }>(
      env.db.pool,
      `INSERT INTO contests (slug, title, hashtags, opens_at, closes_at, code_prefix, max_entries_per_entrant, state)
       VALUES ('bench-submit', 'Bench submit', '{ThoiKhacKhoQuen}', now() - interval '1 day', now() + interval '1 day', 'TKKQ', 3, 'published')
       RETURNING id, slug::text AS slug`,
    );
    const app = createApp({ config: env.config, db: env.db, logger: createLogger('silent'), sessionSecret: 'x'.repeat(40), pruneSessions: false });
    const portal = await startPortal(app);
    const bare = await startBaseline(env.db.pool);
    const body = (i: number) =>
      JSON.stringify({
        tiktokUrl: `https://www.tiktok.com/@bench${i}/video/${7003421587766431002n + BigInt(i)}?is_from_webapp=1`,
        title: `Khoảnh khắc khó quên số ${i}`,
        description: 'Clip gửi từ bài đo hiệu năng',
        fullName: `Nguyễn Thị Trúc Linh ${i}`,
        email: `bench${i}@example.vn`,
        phone: `09${String(10000000 + i).slice(-8)}`,
        consent: true,
        hashtagConfirmed: true,
      });
    const headers = { 'content-type': 'application/json' };
    try {
      // Warm-up on both sides, outside the measured runs (its entries are not counted).
      await runLoad(portal.url, 10, 200, (i) => ({ method: 'POST', path: `/api/v1/contests/${contest.slug}/entries`, headers, body: body(900_000 + i) }));
      await runLoad(bare.url, 10, 200, (i) => ({ method: 'POST', path: '/bare/entries', headers, body: body(900_000 + i) }));
      const before = (await one<{ n: number }>(env.db.pool, 'SELECT count(*)::int AS n FROM entries WHERE contest_id = $1', [contest.id])).n;
      const base = await runLoad(bare.url, CONNECTIONS, REQUESTS, (i) => ({ method: 'POST', path: '/bare/entries', headers, body: body(i) }));
      const ours = await runLoad(portal.url, CONNECTIONS, REQUESTS, (i) => ({ method: 'POST', path: `/api/v1/contests/${contest.slug}/entries`, headers, body: body(i) }));
      const after = (await one<{ n: number }>(env.db.pool, 'SELECT count(*)::int AS n FROM entries WHERE contest_id = $1', [contest.id])).n;
      const created = ours.statuses[201] ?? 0;
      const ratio = ours.throughput / base.throughput;
      log(`submit: ${ours.throughput.toFixed(0)} req/s vs bare ${base.throughput.toFixed(0)} req/s; statuses ${JSON.stringify(ours.statuses)}`);
      return [
        { benchmark: `API submit, ${CONNECTIONS} connections`, measure: 'throughput', value: `${ours.throughput.toFixed(0)} req/s (${ratio.toFixed(2)}×)`, baseline: `${base.throughput.toFixed(0)} req/s (bare INSERT)`, goal: '≥ 0.5× bare', pass: ratio >= 0.5 },
        { benchmark: `API submit, ${CONNECTIONS} connections`, measure: 'p50 / p99', value: `${ours.p50.toFixed(0)} / ${ours.p99.toFixed(0)} ms`, baseline: `${base.p50.toFixed(0)} / ${base.p99.toFixed(0)} ms`, goal: 'p99 < 250 ms', pass: ours.p99 < 250 },
        { benchmark: `API submit, ${CONNECTIONS} connections`, measure: 'rows = 201 answers', value: `${after - before} rows, ${created} × 201 of ${ours.requests}`, goal: 'equal, all 201', pass: after - before === created && created === REQUESTS },
      ];
    } finally {
      await portal.close();
      await bare.close();
    }
  },
};
