import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Pool } from 'pg';
import request from 'supertest';
import { ROOT } from '../../../src/paths';
import { listMigrationFiles } from '../../../src/db/migrate';
import { makeApp } from '../../helpers/app';
import { onServer, resetDb, testConfig, testDb } from '../../helpers/db';

/** Behaviour only a PostgreSQL server can show: several processes, killed backends. */
const describeServer = onServer ? describe : describe.skip;
const run = promisify(execFile);

describeServer('on a PostgreSQL server', () => {
  const db = testDb();
  const admin = new Pool({ connectionString: process.env.TEST_DATABASE_URL, max: 1 });
  const scratch = `clipjury_scratch_${process.pid}`;
  const scratchUrl = (() => {
    const u = new URL(process.env.TEST_DATABASE_URL!);
    u.pathname = `/${scratch}`;
    return u.toString();
  })();

  beforeAll(async () => {
    await resetDb(db.pool);
    await admin.query(`DROP DATABASE IF EXISTS ${scratch}`);
    await admin.query(`CREATE DATABASE ${scratch}`);
  });
  afterAll(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`);
    await admin.end();
    await db.close();
  });

  test('two instances migrating one empty database at once both succeed, and each migration runs once', async () => {
    const env = { ...process.env, DATABASE_URL: scratchUrl };
    const script = path.join(ROOT, 'dist/cli/migrate.js');
    const [a, b] = await Promise.all([run(process.execPath, [script], { env }), run(process.execPath, [script], { env })]);
    const outputs = [a.stdout, b.stdout];
    expect(outputs.filter((o) => o.includes('Applied:'))).toHaveLength(1);
    expect(outputs.filter((o) => o.includes('Nothing to apply'))).toHaveLength(1);
    const check = new Pool({ connectionString: scratchUrl, max: 1 });
    const { rows } = await check.query('SELECT name FROM schema_migrations ORDER BY name');
    await check.end();
    expect(rows.map((r) => r.name)).toEqual(listMigrationFiles());
  }, 60_000);

  test('killed backends cost at most the requests in flight: the next request is 200', async () => {
    const app = makeApp(db, testConfig());
    // Warm the pool so there are connections to kill.
    await Promise.all([1, 2, 3].map(() => request(app).get('/healthz')));
    const killed = await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
    );
    expect(killed.rowCount).toBeGreaterThan(0);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await request(app).get('/')).status);
    // The idle clients' errors reach the pool before the next checkout; at worst one request fails.
    expect(statuses.filter((s) => s !== 200).length).toBeLessThanOrEqual(1);
    expect(statuses[statuses.length - 1]).toBe(200);
    expect((await request(app).get('/healthz')).body).toEqual({ status: 'ok', db: 'ok' });
  });
});

