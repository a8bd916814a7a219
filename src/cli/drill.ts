import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'pg';
import { migrate } from '../db/migrate';
import '../db/connect';
import { DRILLS } from '../drill/drills';
import { checkInvariants, tempParts } from '../drill/invariants';
import { fail, run } from './common';

/**
 * `npm run drill [-- --only a,b]`: the fault drills of issue 8 against a PostgreSQL server
 * (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres). Each drill gets a scratch
 * database and upload folder, runs the portal as a child process, breaks something, then checks
 * the invariants. Exit 1 when any drill fails.
 */
run(async () => {
  const { values } = parseArgs({ options: { only: { type: 'string' } } });
  const wanted = values.only?.split(',').map((s) => s.trim());
  const drills = wanted ? DRILLS.filter((d) => wanted.includes(d.name)) : DRILLS;
  if (!drills.length) fail(`no such drill; known: ${DRILLS.map((d) => d.name).join(', ')}`, 2);
  const admin = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  let failed = 0;
  for (const drill of drills) {
    const dbName = `clipjury_drill_${drill.name.replace(/\W/g, '_')}_${process.pid}`;
    const adminPool = new Pool({ connectionString: admin.toString(), max: 1 });
    await adminPool.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await adminPool.query(`CREATE DATABASE ${dbName}`);
    await adminPool.end();
    const url = new URL(admin.toString());
    url.pathname = `/${dbName}`;
    const work = fs.mkdtempSync(path.join(os.tmpdir(), `clipjury-drill-${drill.name}-`));
    const uploadDir = path.join(work, 'uploads');
    const dataDir = path.join(work, 'data');
    fs.mkdirSync(uploadDir);
    fs.mkdirSync(dataDir);
    const pool = new Pool({ connectionString: url.toString(), max: 4, connectionTimeoutMillis: 5000 });
    pool.on('error', () => undefined);
    console.log(`\n▶ ${drill.name}: ${drill.describe}`);
    const t0 = Date.now();
    try {
      await migrate(pool);
      const result = await drill.run({ databaseUrl: url.toString(), pool, uploadDir, dataDir, log: (l) => console.log(`  · ${l}`) });
      const broken = await checkInvariants(pool, uploadDir);
      for (const f of result.facts) console.log(`  ✓ ${f}`);
      console.log(`  ✓ invariants: ${broken.length ? 'BROKEN' : 'hold'} (temporary parts left for the sweeper: ${tempParts(uploadDir)})`);
      const failures = [...result.failures, ...broken.map((b) => `invariant: ${b}`)];
      for (const f of failures) console.log(`  ✗ ${f}`);
      console.log(`  ${failures.length ? 'FAILED' : 'passed'} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      if (failures.length) failed += 1;
      result.cleanup?.();
    } catch (err) {
      failed += 1;
      console.log(`  ✗ crashed: ${(err as Error).stack ?? String(err)}`);
    } finally {
      await pool.end();
      const cleanup = new Pool({ connectionString: admin.toString(), max: 1 });
      await cleanup.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
      await cleanup.end();
      fs.rmSync(work, { recursive: true, force: true });
    }
  }
  console.log(`\n${drills.length - failed} of ${drills.length} drills passed`);
  if (failed) process.exitCode = 1;
});
