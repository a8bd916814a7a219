import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { rows } from '../../../src/db';
import { ROOT } from '../../../src/paths';
import { createContest, createEntry } from '../../helpers/factories/contests';
import { writeMetricsFile } from '../../helpers/factories/metrics';
import { resetDb, testDb } from '../../helpers/db';

const db = testDb();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cj-metrics-cli-'));

/** Async: in embedded mode the test database answers from this very process. */
function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(ROOT, 'dist/cli/metricsImport.js'), ...args], { env, encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

const baseEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, UPLOAD_DIR: path.join(dataDir, 'uploads'), LOG_LEVEL: 'warn', NODE_ENV: 'development' };
  delete env.DATABASE_URL;
  delete env.TEST_DATABASE_URL;
  return env;
};

beforeAll(() => {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/ensure-build.js')], { stdio: 'inherit' });
}, 180_000);
afterAll(async () => {
  fs.rmSync(dataDir, { recursive: true, force: true });
  await db.close();
});

test('npm run metrics:import imports a file into the database, reports, and a second run adds nothing', async () => {
  await resetDb(db.pool);
  const contest = await createContest(db, { slug: 'cli-metrics', code_prefix: 'CLIM' });
  const e1 = await createEntry(db, contest, { video_id: '7003421587766435555' });
  const e2 = await createEntry(db, contest, { video_id: '7003421587766436666' });
  const file = writeMetricsFile(`Link,Views,Likes,Comments,Shares\nhttps://www.tiktok.com/@a/video/${e1.video_id},1.500,10,1,0\n${e2.code},abc,1,1,1\n123,5,0,0,0\n`, 'export.csv');
  const env = { ...baseEnv(), DATABASE_URL: process.env.TEST_DATABASE_URL };
  const first = await cli(['--contest', 'cli-metrics', '--file', file, '--captured-at', '2021-09-03 10:00'], env);
  expect(first.stderr).toContain('100%');
  expect(first.code).toBe(0);
  expect(first.stdout).toMatch(/^Import #(\d+) into cli-metrics: 3 rows read, 1 accepted, 1 skipped \(0 already imported\), 1 refused\.\n$/);
  const snaps = await rows<{ entry_id: number; views: number; captured_at: Date }>(db.pool, 'SELECT entry_id, views, captured_at FROM metric_snapshots');
  expect(snaps).toEqual([{ entry_id: e1.id, views: 1500, captured_at: new Date('2021-09-03T03:00:00Z') }]);
  const again = await cli(['--contest', 'cli-metrics', '--file', file, '--captured-at', '2021-09-03 10:00'], env);
  expect(again.stdout).toContain('0 accepted, 2 skipped (1 already imported), 1 refused.');
  expect(again.stdout).toContain('This file was imported before');
  const [n] = await rows<{ n: number }>(db.pool, 'SELECT count(*)::int AS n FROM metric_snapshots');
  expect(n!.n).toBe(1);

  const noTime = await cli(['--contest', 'cli-metrics', '--file', file], env);
  expect(noTime.code).toBe(1);
  expect(noTime.stderr).toContain('The file has no time column');
}, 120_000);

test('with no server and no portal running it opens the data folder itself; usage errors exit 2', async () => {
  const file = writeMetricsFile('Video,Views\n1,1\n');
  const missing = await cli(['--contest', 'khong-co', '--file', file, '--captured-at', '2021-09-03 10:00'], baseEnv());
  expect({ code: missing.code, err: missing.stderr.trim() }).toEqual({ code: 2, err: 'No contest with the slug khong-co' });
  const usage = await cli(['--file', file], baseEnv());
  expect(usage.code).toBe(2);
  expect(usage.stderr).toContain('usage: npm run metrics:import');
}, 120_000);
