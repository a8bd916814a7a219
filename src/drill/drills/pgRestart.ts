import { execSync } from 'node:child_process';
import fs from 'node:fs';
import { startPortalProcess } from '../portal';
import { sleep, startTraffic } from '../traffic';
import type { Drill } from '../types';

/**
 * Issue 8: restart PostgreSQL under load. The requests in flight may fail (503 or a dropped
 * connection), none may hang, and the portal recovers by itself: once the server is back, every
 * request succeeds again without restarting the app.
 */
function restartCommand(): string | null {
  if (process.env.DRILL_PG_RESTART) return process.env.DRILL_PG_RESTART;
  if (!fs.existsSync('/etc/postgresql')) return null;
  const version = fs.readdirSync('/etc/postgresql')[0];
  return version ? `pg_ctlcluster --skip-systemctl-redirect ${version} main restart` : null;
}

export const pgRestartDrill: Drill = {
  name: 'pg-restart',
  describe: 'restart PostgreSQL under steady load; the portal recovers without being restarted',
  async run(env) {
    const facts: string[] = [];
    const failures: string[] = [];
    const cmd = restartCommand();
    if (!cmd) return { facts, failures: ['no way to restart PostgreSQL here: set DRILL_PG_RESTART to the command'] };
    const portal = await startPortalProcess({ DATABASE_URL: env.databaseUrl, UPLOAD_DIR: env.uploadDir, DATA_DIR: env.dataDir, DATABASE_CONNECT_TIMEOUT_MS: '2000' });
    try {
      // Pages that read the database: the health check and the public home page.
      const traffic = startTraffic(8, (i) => ({ url: `${portal.url}${i % 2 ? '/healthz' : '/'}` }));
      await sleep(1500);
      const t0 = Date.now();
      execSync(cmd, { stdio: 'pipe', timeout: 60_000 });
      env.log(`PostgreSQL restarted in ${Date.now() - t0} ms`);
      // Wait until the server takes connections again, then give the pool a moment to notice.
      for (let k = 0; k < 60; k++) {
        try {
          execSync('pg_isready -h 127.0.0.1 -p 5432 -q', { stdio: 'ignore' });
          break;
        } catch {
          await sleep(500);
        }
      }
      await sleep(1500);
      const during = await traffic.stop();
      facts.push(`during the restart: ${during.sent} requests, statuses ${JSON.stringify(during.statuses)}, slowest ${during.slowest} ms`);
      const bad = Object.keys(during.statuses).map(Number).filter((s) => ![200, 503, 500].includes(s));
      if (bad.length) failures.push(`unexpected statuses during the restart: ${bad.join(', ')}`);
      if (during.slowest > 12_000) failures.push(`a request hung for ${during.slowest} ms`);

      // After: the same portal process, every request succeeds.
      const after = startTraffic(4, (i) => ({ url: `${portal.url}${i % 2 ? '/healthz' : '/'}` }));
      await sleep(2000);
      const t = await after.stop();
      facts.push(`after the restart: ${t.sent} requests, statuses ${JSON.stringify(t.statuses)}`);
      if (t.sent === 0 || (t.statuses[200] ?? 0) !== t.sent) failures.push(`not recovered: ${JSON.stringify(t.statuses)}`);
      if (portal.child.exitCode !== null) failures.push(`the portal exited (code ${portal.child.exitCode})`);
    } finally {
      portal.child.kill('SIGTERM');
      const e = await portal.exited;
      facts.push(`SIGTERM afterwards: exit ${e.code} in ${e.ms} ms`);
      if (e.code !== 0) failures.push(`exit code ${e.code} after SIGTERM`);
    }
    return { facts, failures };
  },
};
