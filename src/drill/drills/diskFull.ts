import { execFileSync } from 'node:child_process';
import { startPortalProcess } from '../portal';
import { createDrillContest, entryFields, multipartBody } from '../fixtures';
import type { Drill } from '../types';

/**
 * Issue 8: the upload store's disk fills up mid-upload (a 16 MiB tmpfs here). The submission
 * fails with a clear message, nothing half-written remains, and a small one still succeeds.
 */
export const diskFullDrill: Drill = {
  name: 'disk-full',
  describe: 'upload store on a 16 MiB tmpfs: a 40 MiB upload fails clearly, leaves nothing; a small one succeeds',
  async run(env) {
    const facts: string[] = [];
    const failures: string[] = [];
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', env.uploadDir], { stdio: 'pipe' });
    } catch (err) {
      return { facts, failures: [`cannot mount a small tmpfs on the upload folder (needs root): ${(err as Error).message.split('\n')[0]}`] };
    }
    const contest = await createDrillContest(env.pool, 'dien-tap-disk', 100);
    const portal = await startPortalProcess({ DATABASE_URL: env.databaseUrl, UPLOAD_DIR: env.uploadDir, DATA_DIR: env.dataDir });
    const api = `${portal.url}/api/v1/contests/${contest.slug}/entries`;
    try {
      const big = multipartBody(entryFields(1), 40 * 1024 * 1024);
      const res = await fetch(api, { method: 'POST', headers: { 'content-type': big.contentType }, body: big.body });
      const body = await res.text();
      facts.push(`40 MiB on a 16 MiB disk: ${res.status} ${body.slice(0, 120)}`);
      if (res.status !== 507) failures.push(`expected 507 storage_full, got ${res.status}`);
      const { rows } = await env.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM entries WHERE contest_id = $1', [contest.id]);
      if (rows[0]!.n !== 0) failures.push(`${rows[0]!.n} entries written by the failed upload`);

      const small = multipartBody(entryFields(2), 512 * 1024);
      const ok = await fetch(api, { method: 'POST', headers: { 'content-type': small.contentType }, body: small.body });
      facts.push(`then 512 KiB: ${ok.status}`);
      if (ok.status !== 201) failures.push(`the small upload got ${ok.status}: ${(await ok.text()).slice(0, 200)}`);
    } finally {
      portal.child.kill('SIGTERM');
      await portal.exited;
    }
    return {
      facts,
      failures,
      // Unmounted by the runner after the invariant check (which reads the folder).
      cleanup: () => execFileSync('umount', [env.uploadDir], { stdio: 'pipe' }),
    };
  },
};
