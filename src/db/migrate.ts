import fs from 'node:fs';
import path from 'node:path';
import type { Pool } from 'pg';
import { MIGRATIONS_DIR } from '../paths';

/** Any 64-bit number works; this one spells nothing and is used by nothing else. */
const MIGRATION_LOCK_KEY = 724_190_551;

export class MigrationError extends Error {
  constructor(readonly file: string, readonly dbMessage: string) {
    super(`Migration ${file} failed: ${dbMessage}`);
    this.name = 'MigrationError';
  }
}

/** The oldest PostgreSQL the migrations run on (063 stores a function body parsed: BEGIN ATOMIC, 14+). */
export const MIN_SERVER_VERSION_NUM = 140000;

/** Refuses a server too old for the migrations, with the versions in words, before any is tried. */
export function checkServerVersion(versionNum: number, version: string): void {
  if (versionNum < MIN_SERVER_VERSION_NUM) {
    throw new MigrationError('(before the first)', `PostgreSQL 14 or later is needed; this server is ${version}`);
  }
}

export function listMigrationFiles(dir = MIGRATIONS_DIR): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{3,}_[\w-]+\.sql$/.test(f))
    .sort();
}

/**
 * Applies the pending migrations in order, each in its own transaction, under an advisory lock
 * so that instances starting together take turns; the second finds nothing left to do.
 * Returns the files it applied.
 */
export async function migrate(pool: Pool, dir = MIGRATIONS_DIR): Promise<string[]> {
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    const v = (await client.query<{ num: string; version: string }>("SELECT current_setting('server_version_num') AS num, current_setting('server_version') AS version")).rows[0];
    if (v) checkServerVersion(Number(v.num), v.version);
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        name text PRIMARY KEY,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const done = new Set((await client.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name));
      for (const file of listMigrationFiles(dir)) {
        if (done.has(file)) continue;
        const sql = fs.readFileSync(path.join(dir, file), 'utf8');
        try {
          await client.query('BEGIN');
          await client.query(sql);
          await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file]);
          await client.query('COMMIT');
          applied.push(file);
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw new MigrationError(file, (err as Error).message);
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    client.release();
  }
  return applied;
}
