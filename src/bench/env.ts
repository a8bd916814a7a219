import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { loadConfig, type Config } from '../config';
import { markSharedSession, type Db } from '../db';
import '../db/connect';
import { startEmbedded } from '../db/embedded';
import { migrate } from '../db/migrate';

export type Engine = 'embedded' | 'server';

export interface BenchEnv {
  engine: Engine;
  db: Db;
  config: Config;
  dataDir: string;
  close(): Promise<void>;
}

/**
 * A fresh database for a benchmark run: a new embedded data folder, or a scratch database on the
 * server named by BENCH_DATABASE_URL / DATABASE_URL (default 127.0.0.1:5432), dropped at the end.
 */
export async function openBenchEnv(engine: Engine, extraEnv: Record<string, string> = {}): Promise<BenchEnv> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `clipjury-bench-${engine}-`));
  const baseEnv = { NODE_ENV: 'production', SESSION_SECRET: 'bench-secret-bench-secret-bench-secret', LOG_LEVEL: 'silent', DATA_DIR: dataDir, UPLOAD_DIR: path.join(dataDir, 'uploads'), TIKTOK_NETWORK: 'false', BACKGROUND_JOBS: 'false', RATE_LIMITS: 'false', DATABASE_POOL_MAX: '20', ...extraEnv };
  if (engine === 'embedded') {
    const server = await startEmbedded(dataDir, 40);
    const pool = markSharedSession(new Pool({ host: server.host, port: server.port, user: 'postgres', database: 'postgres', max: 20 }));
    pool.on('error', () => undefined);
    await migrate(pool);
    const config = loadConfig(baseEnv);
    return {
      engine,
      config,
      dataDir,
      db: { pool, engine: 'embedded', description: 'embedded PGlite (bench)', close: () => pool.end() },
      async close() {
        await pool.end();
        await server.close();
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const base = new URL(process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const name = `clipjury_bench_${process.pid}`;
  const admin = new Pool({ connectionString: base.toString(), max: 1 });
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  base.pathname = `/${name}`;
  const pool = new Pool({ connectionString: base.toString(), max: 20 });
  pool.on('error', () => undefined);
  admin.on('error', () => undefined);
  await migrate(pool);
  const config = loadConfig({ ...baseEnv, DATABASE_URL: base.toString() });
  return {
    engine,
    config,
    dataDir,
    db: { pool, engine: 'server', description: 'PostgreSQL server (bench)', close: () => pool.end() },
    async close() {
      await pool.end();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
