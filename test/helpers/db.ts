import { Pool } from 'pg';
import { loadConfig, type Config } from '../../src/config';
import { markSharedSession, type Db } from '../../src/db';
import '../../src/db/connect'; // installs the pg type parsers the app uses

export const TEST_ENGINE = (process.env.TEST_ENGINE ?? 'embedded') as 'embedded' | 'server';
export const onServer = TEST_ENGINE === 'server';

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: process.env.TEST_DATABASE_URL,
    LOG_LEVEL: 'silent',
    TIKTOK_NETWORK: 'false',
    BACKGROUND_JOBS: 'false',
    DATA_DIR: '/tmp/clipjury-test-data',
    ...overrides,
  });
}

export function testDb(): Db {
  const pool = new Pool({ connectionString: process.env.TEST_DATABASE_URL, max: 10, connectionTimeoutMillis: 5000 });
  pool.on('error', () => undefined);
  if (TEST_ENGINE === 'embedded') markSharedSession(pool);
  return { pool, engine: TEST_ENGINE, description: 'test database', close: () => pool.end() };
}

/** Empties every table but the migrations record, so each test file starts from nothing. */
export async function resetDb(pool: Pool): Promise<void> {
  const { rows } = await pool.query<{ tablename: string }>(
    `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'`,
  );
  if (rows.length) await pool.query(`TRUNCATE ${rows.map((r) => `"${r.tablename}"`).join(', ')} RESTART IDENTITY CASCADE`);
}
