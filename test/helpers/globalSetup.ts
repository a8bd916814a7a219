import { Pool } from 'pg';
import { createPGlite, serveOverSocket } from '../../src/db/embedded';
import { migrate } from '../../src/db/migrate';

/**
 * One database for the whole run: TEST_DATABASE_URL or DATABASE_URL when set (a PostgreSQL
 * server), otherwise an in-memory embedded PGlite served on a loopback port from this process.
 * Migrations are applied once; each test file resets the data (test/helpers/db.ts).
 */
export default async function globalSetup(): Promise<void> {
  const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (url) {
    process.env.TEST_DATABASE_URL = url;
    process.env.TEST_ENGINE = 'server';
  } else {
    const pglite = await createPGlite();
    const served = await serveOverSocket(pglite, 40);
    (globalThis as Record<string, unknown>).__clipjuryEmbedded = { pglite, served };
    process.env.TEST_DATABASE_URL = `postgres://postgres@127.0.0.1:${served.port}/postgres`;
    process.env.TEST_ENGINE = 'embedded';
  }
  const pool = new Pool({ connectionString: process.env.TEST_DATABASE_URL, max: 2 });
  try {
    await migrate(pool);
  } finally {
    await pool.end();
  }
  process.stdout.write(`\nTests run on the ${process.env.TEST_ENGINE} engine.\n`);
}
