import { Pool, types } from 'pg';
import type { Config } from '../config';
import type { Logger } from '../shared/logger';
import { markSharedSession, type Db } from './index';
import { findRunningOwner, startEmbedded, type EmbeddedServer } from './embedded';

// int8 (COUNT(*), SUM) as JS numbers is safe for every count this portal keeps; bigint ids and
// video ids are selected as text where they matter, so nothing loses precision silently.
types.setTypeParser(types.builtins.INT8, (v) => {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v;
});
// NUMERIC (weights, scores) as numbers: our scales are small and exact in binary64 for display.
types.setTypeParser(types.builtins.NUMERIC, (v) => Number(v));

export interface OpenDbOptions {
  /** 'portal' owns the embedded data folder; 'task' goes through a running portal when there is one. */
  role: 'portal' | 'task';
  logger?: Logger;
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

function makePool(config: Config, connection: { connectionString?: string; host?: string; port?: number }, logger?: Logger): Pool {
  const pool = new Pool({
    ...connection,
    ...(connection.connectionString ? {} : { user: 'postgres', database: 'postgres' }),
    max: config.DATABASE_POOL_MAX,
    connectionTimeoutMillis: config.DATABASE_CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
  });
  // An idle client whose server went away emits here; without a listener the process would crash.
  pool.on('error', (err) => logger?.warn({ err: err.message }, 'idle database client failed; it is dropped from the pool'));
  return pool;
}

export async function openDb(config: Config, opts: OpenDbOptions): Promise<Db> {
  if (config.DATABASE_URL) {
    const pool = makePool(config, { connectionString: config.DATABASE_URL }, opts.logger);
    return { pool, engine: 'server', description: `PostgreSQL server ${redactUrl(config.DATABASE_URL)}`, close: () => pool.end() };
  }
  if (opts.role === 'task') {
    const owner = await findRunningOwner(config.dataDir);
    if (owner) {
      const pool = markSharedSession(makePool(config, { host: owner.host, port: owner.port }, opts.logger));
      return {
        pool,
        engine: 'embedded',
        description: `embedded PostgreSQL (PGlite) in ${config.dataDir}, through the running portal (pid ${owner.pid})`,
        close: () => pool.end(),
      };
    }
  }
  // Headroom above the pool for command-line tasks that connect through the socket.
  const server: EmbeddedServer = await startEmbedded(config.dataDir, config.DATABASE_POOL_MAX + 6);
  const pool = markSharedSession(makePool(config, { host: server.host, port: server.port }, opts.logger));
  return {
    pool,
    engine: 'embedded',
    description: `embedded PostgreSQL (PGlite) in ${config.dataDir}`,
    async close() {
      await pool.end();
      await server.close();
    },
  };
}
