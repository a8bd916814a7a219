import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { one } from '../../db';
import { ROOT } from '../../paths';
import type { BenchEnv } from '../env';
import type { BenchSuite } from '../types';

const ENTRIES = 45_304;

interface CliStats {
  ms: number;
  rssStartMb: number;
  rssGrowthMb: number;
  accepted: number;
  skipped: number;
  duplicates: number;
  refused: number;
}

/** Async on purpose: the embedded database answers from this process's event loop. */
async function runCli(env: BenchEnv, args: string[]): Promise<CliStats> {
  const o = env.db.pool.options as { host?: string; port?: number; connectionString?: string };
  const url = o.connectionString ?? `postgres://postgres@${o.host}:${o.port}/postgres`;
  const out = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, [path.join(ROOT, 'dist/cli/metricsImport.js'), ...args], {
    env: { ...process.env, NODE_ENV: 'production', DATABASE_URL: url, DATA_DIR: env.dataDir, UPLOAD_DIR: path.join(env.dataDir, 'uploads'), SESSION_SECRET: 'bench-secret-bench-secret-bench-secret', LOG_LEVEL: 'silent' },
    encoding: 'utf8',
    timeout: 300_000,
    maxBuffer: 10 * 1024 * 1024,
    }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr.slice(-500)}`)) : resolve(stdout)));
  });
  const line = out.split('\n').find((l) => l.startsWith('stats '));
  if (!line) throw new Error(`metrics:import printed no stats: ${out.slice(0, 300)}`);
  return JSON.parse(line.slice(6)) as CliStats;
}
const ROWS = 50_000;

/**
 * Issue 7's bar: a 50,000-row export (45,304 clips named by link, video id or entry code, plus
 * unknown clips and bad rows) imported in one go, streaming. Goals: under 10 s on the embedded
 * engine, the process's memory growth (RSS high-water mark) under 100 MB. The baseline is the
 * bare cost of the same rows written by one INSERT … SELECT with no parsing or matching.
 */
export const metricsImportSuite: BenchSuite = {
  name: 'metrics-import',
  describe: `npm run metrics:import of a ${ROWS.toLocaleString('en')}-row CSV into a contest of ${ENTRIES.toLocaleString('en')} entries, then the same file again`,
  async run(env, log) {
    const contest = await one<{ id: number; code_prefix: string; time_zone: string }>(
      env.db.pool,
      `INSERT INTO contests (slug, title, hashtags, time_zone, opens_at, closes_at, code_prefix, state)
       VALUES ('bench-metrics', 'Bench metrics', '{ThoiKhacKhoQuen}', 'Asia/Ho_Chi_Minh', '2021-09-01T00:00:00+07:00', '2021-09-30T23:59:00+07:00', 'TKKQ', 'judging')
       RETURNING id, code_prefix, time_zone`,
    );
    await env.db.pool.query('SELECT reserve_entry_numbers($1, $2)', [contest.id, ENTRIES]);
    await env.db.pool.query(
      `INSERT INTO entrants (contest_id, full_name, email, province) SELECT $1, 'Thí sinh ' || i, 'm' || i || '@example.vn', 'Hà Nội' FROM generate_series(1, $2) i`,
      [contest.id, ENTRIES],
    );
    await env.db.pool.query(
      `INSERT INTO entries (contest_id, entrant_id, seq, code, title, tiktok_url_input, video_id, status, consent_at, consent_rules_version)
       SELECT $1, en.id, row_number() OVER (ORDER BY en.id), 'TKKQ-' || lpad((row_number() OVER (ORDER BY en.id))::text, 5, '0'), 'Clip',
              'https://www.tiktok.com/@u/video/' || (7003421587766431002 + en.id), (7003421587766431002 + en.id)::text, 'eligible', now(), 1
         FROM entrants en WHERE en.contest_id = $1`,
      [contest.id],
    );
    const ids = await env.db.pool.query<{ id: string; code: string; video_id: string }>('SELECT id::text, code, video_id FROM entries WHERE contest_id = $1 ORDER BY id', [contest.id]);
    const file = path.join(env.dataDir, 'metrics-50k.csv');
    const out = fs.createWriteStream(file);
    out.write('Link video;Lượt xem;Lượt thích;Bình luận;Chia sẻ;Thời gian\n');
    const expected = { accepted: 0, skipped: 0, refused: 0 };
    for (let i = 0; i < ROWS; i++) {
      const e = ids.rows[i % ids.rows.length]!;
      const unknown = i >= ENTRIES && i < ENTRIES + 3000;
      if (i % 997 === 0) expected.refused += 1;
      else if (unknown) expected.skipped += 1;
      else expected.accepted += 1;
      const ref = unknown ? `https://www.tiktok.com/@x/video/${8000000000000000000n + BigInt(i)}` // unknown clips
        : i % 3 === 0 ? `https://www.tiktok.com/@u/video/${e.video_id}?is_from_webapp=1` : i % 3 === 1 ? e.video_id : e.code;
      const views = i % 997 === 0 ? '-1' : (((i * 7919) % 2_000_000) + 100).toLocaleString('vi-VN');
      // Rows past the clip count repeat clips at a later moment (their second snapshot).
      const day = i < ENTRIES ? '03/09/2021 10:00' : '10/09/2021 10:00';
      out.write(`${ref};${views};${(i % 5000).toLocaleString('vi-VN')};${i % 300};${i % 100};${day}\n`);
    }
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    log(`wrote ${ROWS} rows (${(fs.statSync(file).size / 1e6).toFixed(1)} MB)`);

    // The import runs as `npm run metrics:import` does, in its own process, so its time and memory
    // are the importer's alone (the embedded database lives in this process).
    const t0 = performance.now();
    const r = await runCli(env, ['--contest', 'bench-metrics', '--file', file, '--stats']);
    const ms = performance.now() - t0;
    const again = await runCli(env, ['--contest', 'bench-metrics', '--file', file, '--stats']);
    log(`import: ${r.accepted} accepted, ${r.skipped} skipped, ${r.refused} refused in ${(r.ms / 1000).toFixed(2)} s (process ${(ms / 1000).toFixed(2)} s), RSS ${r.rssStartMb} MB + ${r.rssGrowthMb} MB; again: ${again.accepted} accepted, ${again.duplicates} duplicates in ${(again.ms / 1000).toFixed(2)} s`);

    // Baseline: the same number of snapshot rows written by the database alone.
    const b0 = performance.now();
    await env.db.pool.query(
      `INSERT INTO metric_snapshots (contest_id, entry_id, captured_at, views, likes, comments, shares, source)
       SELECT $1, e.id, timestamptz '2021-09-20T10:00:00+07:00' + make_interval(secs => k), 1, 1, 1, 1, 'import'
         FROM entries e CROSS JOIN generate_series(0, 1) k WHERE e.contest_id = $1 LIMIT $2`,
      [contest.id, r.accepted],
    );
    const bare = performance.now() - b0;
    return [
      { benchmark: `metrics import, ${ROWS.toLocaleString('en')} rows`, measure: 'time (import / whole process)', value: `${(r.ms / 1000).toFixed(2)} s / ${(ms / 1000).toFixed(2)} s`, baseline: `${(bare / 1000).toFixed(2)} s (bare INSERT … SELECT of ${r.accepted} rows)`, goal: '< 10 s', pass: r.ms < 10_000 },
      { benchmark: `metrics import, ${ROWS.toLocaleString('en')} rows`, measure: 'RSS growth (peak − start)', value: `${r.rssGrowthMb} MB (from ${r.rssStartMb} MB)`, goal: '< 100 MB', pass: r.rssGrowthMb < 100 },
      { benchmark: `metrics import, ${ROWS.toLocaleString('en')} rows`, measure: 'accepted / skipped / refused', value: `${r.accepted} / ${r.skipped} / ${r.refused}`, goal: `${expected.accepted} / ${expected.skipped} / ${expected.refused}`, pass: r.accepted === expected.accepted && r.skipped === expected.skipped && r.refused === expected.refused },
      { benchmark: 'metrics re-import of the same file', measure: 'time · rows added', value: `${(again.ms / 1000).toFixed(2)} s · ${again.accepted}`, goal: '0 rows added', pass: again.accepted === 0 && again.duplicates === r.accepted },
    ];
  },
};
