import { createApp } from '../../app';
import { one, rows } from '../../db';
import { createLogger } from '../../shared/logger';
import { startBaseline, startPortal } from '../baseline';
import { FAMILY, GIVEN, MIDDLE, PROVINCES, TOPICS } from '../generate';
import { runLoad } from '../load';
import type { BenchSuite } from '../types';

const CONNECTIONS = 50;
/** The seed's month; `BENCH_INGEST_ENTRIES=2000` scales it down for a quick check. */
const ENTRIES = Number(process.env.BENCH_INGEST_ENTRIES ?? 45_304);
/** The bare baseline's throughput settles long before 45,304 inserts; it gets this many. */
const BARE_REQUESTS = Math.min(ENTRIES, 10_000);
const SLUG = 'thoi-khac-kho-quen-ingest';

/** A deterministic spread (no Math.random: reruns send the same bodies). */
const h = (i: number, salt: number) => ((i + 1) * 2654435761 + salt * 40503) >>> 0;

/** Phone numbers written the ways entrants write them. */
function phoneOf(n: number): string {
  const d = String(10_000_000 + n).slice(-8);
  switch (n % 4) {
    case 0: return `09${d}`;
    case 1: return `09${d.slice(0, 1)} ${d.slice(1, 4)} ${d.slice(4)}`;
    case 2: return `+84 9${d}`;
    default: return `+849${d.slice(0, 2)}.${d.slice(2, 5)}.${d.slice(5)}`;
  }
}

/** Every long TikTok link form the parser accepts, and 2 % short links (left to verify: no network in benches). */
function linkOf(i: number, videoId: bigint, user: string): string {
  const k = h(i, 1) % 100;
  if (k < 2) return `https://vm.tiktok.com/ZS${i.toString(36).toUpperCase().padStart(7, '0')}/`;
  if (k < 55) return `https://www.tiktok.com/@${user}/video/${videoId}?is_from_webapp=1&sender_device=pc`;
  if (k < 70) return `https://www.tiktok.com/@${user}/video/${videoId}`;
  if (k < 80) return `https://m.tiktok.com/v/${videoId}.html`;
  if (k < 88) return `https://www.tiktok.com/embed/v2/${videoId}`;
  if (k < 95) return `https://www.tiktok.com/embed/${videoId}`;
  return `https://www.tiktok.com/player/v1/${videoId}`;
}

/**
 * Issue 8's "whole month through the HTTP API": 45,304 JSON submissions to
 * POST /api/v1/contests/:slug/entries at 50 connections (Vietnamese names with diacritics, phones
 * in several writings, every link form, two categories, one entrant in ten sending a second clip),
 * against the bare Express + pg one-INSERT endpoint in the same run. Goal: under 3 minutes on the
 * PostgreSQL server, under 6 on the embedded engine; every 201 is a row.
 */
export const ingestSuite: BenchSuite = {
  name: 'ingest',
  describe: `the whole month: ${ENTRIES.toLocaleString('en')} POST /api/v1/contests/:slug/entries (JSON) at ${CONNECTIONS} connections vs a bare one-INSERT endpoint`,
  env: { RATE_LIMITS: 'false', TIKTOK_NETWORK: 'false' },
  async run(env, log) {
    const pool = env.db.pool;
    const contest = await one<{ id: number; slug: string }>(
      pool,
      `INSERT INTO contests (slug, title, hashtags, time_zone, opens_at, closes_at, code_prefix, max_entries_per_entrant, state)
       VALUES ($1, 'Thời khắc khó quên (ingest)', '{ThoiKhacKhoQuen}', 'Asia/Ho_Chi_Minh', now() - interval '31 days', now() + interval '1 day', 'TKKQ', 3, 'published')
       RETURNING id, slug::text AS slug`,
      [SLUG],
    );
    const cats = (await rows<{ id: number }>(pool, `INSERT INTO categories (contest_id, name, position) VALUES ($1, 'Người lao động tuyến đầu', 1), ($1, 'Cộng đồng', 2) RETURNING id`, [contest.id])).map((c) => c.id);
    const nowSec = BigInt(Math.floor(Date.now() / 1000));
    const body = (i: number) => {
      // One entrant in ten sends a second clip (same phone and email, another video).
      const person = i % 10 === 9 ? i - 1 : i;
      const family = FAMILY[h(person, 2) % FAMILY.length]!;
      const middle = MIDDLE[h(person, 3) % MIDDLE.length]!;
      const given = GIVEN[h(person, 4) % GIVEN.length]!;
      const posted = nowSec - 86_400n * 30n + BigInt(h(i, 5) % (86_400 * 30));
      const videoId = (posted << 32n) + BigInt(i);
      return JSON.stringify({
        tiktokUrl: linkOf(i, videoId, `user.${person}`),
        title: `${TOPICS[h(i, 6) % TOPICS.length]} — ${given} ${i}`,
        description: `Clip của ${family} ${middle} ${given} ở ${PROVINCES[h(person, 7) % PROVINCES.length]}. #ThoiKhacKhoQuen`,
        category: String(cats[i % 3 === 0 ? 0 : 1]),
        fullName: `${family} ${middle} ${given}`,
        email: `ingest${person}@example.vn`,
        phone: phoneOf(person),
        consent: true,
        hashtagConfirmed: true,
      });
    };
    const app = createApp({ config: env.config, db: env.db, logger: createLogger('silent'), sessionSecret: 'x'.repeat(40), pruneSessions: false });
    const portal = await startPortal(app);
    const bare = await startBaseline(pool);
    const headers = { 'content-type': 'application/json' };
    const path = `/api/v1/contests/${contest.slug}/entries`;
    try {
      const base = await runLoad(bare.url, CONNECTIONS, BARE_REQUESTS, (i) => ({ method: 'POST', path: '/bare/entries', headers, body: body(i) }));
      log(`bare: ${base.requests} in ${base.seconds.toFixed(1)} s, ${base.throughput.toFixed(0)} req/s`);
      const ours = await runLoad(portal.url, CONNECTIONS, ENTRIES, (i) => ({ method: 'POST', path, headers, body: body(i) }));
      const count = (await one<{ n: number }>(pool, 'SELECT count(*)::int AS n FROM entries WHERE contest_id = $1', [contest.id])).n;
      const forms = await rows<{ s: string; n: number }>(pool, `SELECT link_status AS s, count(*)::int AS n FROM entries WHERE contest_id = $1 GROUP BY 1 ORDER BY 1`, [contest.id]);
      const created = ours.statuses[201] ?? 0;
      const ratio = ours.throughput / base.throughput;
      // The goal is for the full month; a scaled-down run (BENCH_INGEST_ENTRIES) gets the same rate.
      const goalSec = ((env.engine === 'server' ? 180 : 360) * ENTRIES) / 45_304;
      log(`ingest: ${ours.requests} in ${ours.seconds.toFixed(1)} s, ${ours.throughput.toFixed(0)} req/s; statuses ${JSON.stringify(ours.statuses)}; link status ${JSON.stringify(forms)}`);
      const label = `whole month via the API, ${ENTRIES.toLocaleString('en')} entries, ${CONNECTIONS} connections`;
      const bareEta = ENTRIES / base.throughput;
      return [
        { benchmark: label, measure: 'wall time', value: `${ours.seconds.toFixed(0)} s`, baseline: `${bareEta.toFixed(0)} s at the bare rate (${base.requests.toLocaleString('en')} bare INSERTs measured)`, goal: ENTRIES === 45_304 ? `< ${env.engine === 'server' ? 3 : 6} min` : `< ${goalSec.toFixed(0)} s (goal scaled to ${ENTRIES})`, pass: ours.seconds < goalSec },
        { benchmark: label, measure: 'throughput', value: `${ours.throughput.toFixed(0)} req/s (${ratio.toFixed(2)}×)`, baseline: `${base.throughput.toFixed(0)} req/s (bare INSERT)` },
        { benchmark: label, measure: 'p50 / p99', value: `${ours.p50.toFixed(0)} / ${ours.p99.toFixed(0)} ms`, baseline: `${base.p50.toFixed(0)} / ${base.p99.toFixed(0)} ms` },
        { benchmark: label, measure: 'rows = 201 answers', value: `${count.toLocaleString('en')} rows, ${created.toLocaleString('en')} × 201 of ${ours.requests.toLocaleString('en')}`, goal: 'equal, all 201', pass: count === created && created === ENTRIES },
      ];
    } finally {
      await portal.close();
      await bare.close();
    }
  },
};
