import { startPortalProcess } from '../portal';
import { createDrillContest, entryFields, multipartBody } from '../fixtures';
import { sleep, startTraffic } from '../traffic';
import type { Drill } from '../types';

/**
 * Issue 8: kill -9 the portal under a steady submit load (JSON and with files), start it again:
 * every entry whose 201 was sent is in the database, with its file when it sent one, and nothing
 * half-written remains (the invariant check after the drill looks at the files).
 */
export const killUnderLoadDrill: Drill = {
  name: 'kill-under-load',
  describe: 'kill -9 under a steady submit load, restart: every acknowledged entry is there, with its file',
  async run(env) {
    const facts: string[] = [];
    const failures: string[] = [];
    const contest = await createDrillContest(env.pool, 'dien-tap-kill');
    const portalEnv = { DATABASE_URL: env.databaseUrl, UPLOAD_DIR: env.uploadDir, DATA_DIR: env.dataDir };
    const portal = await startPortalProcess(portalEnv);
    const api = `${portal.url}/api/v1/contests/${contest.slug}/entries`;
    const withFile = (i: number) => i % 2 === 1;
    const traffic = startTraffic(8, (i) => {
      if (withFile(i)) {
        const { body, contentType } = multipartBody(entryFields(i), 256 * 1024);
        return { url: api, init: { method: 'POST', headers: { 'content-type': contentType, 'idempotency-key': `k${i}` }, body } };
      }
      return { url: api, init: { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': `k${i}` }, body: JSON.stringify(entryFields(i)) } };
    });
    await sleep(4000);
    portal.child.kill('SIGKILL');
    const killed = await portal.exited;
    const tally = await traffic.stop();
    facts.push(`killed by ${killed.signal} after ${tally.sent} requests: ${JSON.stringify(tally.statuses)}`);
    const acknowledged = tally.results.filter((r) => r.status === 201).map((r) => JSON.parse(r.body) as { code: string });
    if (acknowledged.length < 10) failures.push(`too few entries before the kill to prove anything (${acknowledged.length})`);

    const again = await startPortalProcess(portalEnv);
    try {
      const { rows } = await env.pool.query<{ code: string; video_file_id: number | null; email: string }>(
        `SELECT e.code, e.video_file_id, p.email::text AS email FROM entries e JOIN entrants p ON p.id = e.entrant_id WHERE e.contest_id = $1`,
        [contest.id],
      );
      const byCode = new Map(rows.map((r) => [r.code, r]));
      const lost = acknowledged.filter((a) => !byCode.has(a.code));
      facts.push(`after the restart: ${acknowledged.length} acknowledged, ${rows.length} in the database, ${lost.length} lost`);
      if (lost.length) failures.push(`acknowledged but missing: ${lost.map((l) => l.code).join(', ')}`);
      // An entry sent with a file (odd-numbered entrant) has its file; one sent without has none.
      const wrong = rows.filter((r) => {
        const i = Number(/^drill(\d+)@/.exec(r.email)?.[1]);
        return withFile(i) !== (r.video_file_id !== null);
      });
      if (wrong.length) failures.push(`entries whose file does not match what was sent: ${wrong.map((w) => w.code).join(', ')}`);
      const health = await fetch(`${again.url}/healthz`);
      if (health.status !== 200) failures.push(`restarted portal answers ${health.status}`);
    } finally {
      again.child.kill('SIGTERM');
      await again.exited;
    }
    return { facts, failures };
  },
};
