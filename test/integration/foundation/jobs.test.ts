import { one } from '../../../src/db';
import { jobsFor } from '../../../src/jobs';
import { createLogger } from '../../../src/shared/logger';
import { resetDb, testConfig, testDb } from '../../helpers/db';

const db = testDb();
const deps = (engine: 'embedded' | 'server') => ({ config: testConfig(), db: { ...db, engine }, logger: createLogger('silent') });

beforeAll(() => resetDb(db.pool));
afterAll(() => db.close());

describe('background jobs', () => {
  it('statistics are gathered by a job on the embedded engine only (the server has autovacuum)', () => {
    expect(jobsFor(deps('embedded')).map((j) => j.name)).toContain('analyze-embedded');
    expect(jobsFor(deps('server')).map((j) => j.name)).not.toContain('analyze-embedded');
    expect(jobsFor(deps('server')).map((j) => j.name)).toEqual(['purge-rate-counters', 'purge-sign-in-links', 'send-outbox', 'verify-tiktok-links', 'sweep-upload-orphans']);
  });

  it('the embedded job analyses a table once it has grown by a tenth, and then leaves it until it grows again', async () => {
    const job = jobsFor(deps('embedded')).find((j) => j.name === 'analyze-embedded')!;
    await db.pool.query('ANALYZE');
    await db.pool.query(`INSERT INTO users (email, name, role, password_hash) SELECT 'u' || i || '@jobs.test', 'U ' || i, 'judge', 'x' FROM generate_series(1, 3000) i`);
    expect(await job.run(deps('embedded'))).toEqual(['public.users']);
    const r = await one<{ reltuples: number }>(db.pool, "SELECT reltuples::int AS reltuples FROM pg_class WHERE relname = 'users'");
    expect(r.reltuples).toBe(3000);
    expect(await job.run(deps('embedded'))).toEqual([]);
    // Fewer than 8 new pages: not yet.
    await db.pool.query(`INSERT INTO users (email, name, role, password_hash) SELECT 'v' || i || '@jobs.test', 'V ' || i, 'judge', 'x' FROM generate_series(1, 10) i`);
    expect(await job.run(deps('embedded'))).toEqual([]);
  });
});
