import fs from 'node:fs';
import { malformedCase, sendRaw } from '../malformed';
import { startPortalProcess } from '../portal';
import { createDrillContest, entryFields, multipartBody } from '../fixtures';
import type { Drill } from '../types';

const BODIES = Number(process.env.DRILL_FLOOD_BODIES ?? 10_000);
const CONCURRENCY = 16;

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

function filesUnder(dir: string): number {
  return fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).length : 0;
}

/**
 * Issue 8: 10,000 malformed multipart bodies (14 kinds: truncated, wrong or missing boundary,
 * huge part headers, thousands of parts, deep field names, aborted streams, bad chunking…)
 * against the submit endpoint of a running portal. The process stays up, its memory stays
 * bounded, no 5xx, only genuine clips are stored, nothing is left in tmp/, and a normal
 * submission still succeeds afterwards.
 */
export const multipartFloodDrill: Drill = {
  name: 'multipart-flood',
  describe: `${BODIES.toLocaleString('en')} malformed multipart bodies against the submit endpoint: stays up, bounded memory, nothing left behind`,
  async run(env) {
    const facts: string[] = [];
    const failures: string[] = [];
    const contest = await createDrillContest(env.pool, 'dien-tap-flood');
    const portal = await startPortalProcess({ DATABASE_URL: env.databaseUrl, UPLOAD_DIR: env.uploadDir, DATA_DIR: env.dataDir });
    const pid = portal.child.pid!;
    const port = Number(new URL(portal.url).port);
    const path = `/api/v1/contests/${contest.slug}/entries`;
    try {
      const rssStart = rssMb(pid);
      let rssMax = rssStart;
      const byStatus: Record<number, number> = {};
      let next = 0;
      const t0 = Date.now();
      const worker = async () => {
        while (next < BODIES) {
          const i = next++;
          const status = await sendRaw(port, malformedCase(i, path, `127.0.0.1:${port}`), 15_000);
          byStatus[status] = (byStatus[status] ?? 0) + 1;
          if (i % 200 === 0) rssMax = Math.max(rssMax, rssMb(pid));
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      rssMax = Math.max(rssMax, rssMb(pid));
      facts.push(`${BODIES} bodies in ${((Date.now() - t0) / 1000).toFixed(1)} s, answers ${JSON.stringify(byStatus)} (0 = connection closed)`);
      facts.push(`RSS ${rssStart.toFixed(0)} MB at start, at most ${rssMax.toFixed(0)} MB during the flood`);
      if (portal.child.exitCode !== null) failures.push(`the portal died (exit ${portal.child.exitCode})`);
      const fiveHundreds = Object.entries(byStatus).filter(([s]) => Number(s) >= 500).reduce((n, [, c]) => n + c, 0);
      if (fiveHundreds) failures.push(`${fiveHundreds} answers were 5xx`);
      if (rssMax - rssStart > 150) failures.push(`memory grew by ${(rssMax - rssStart).toFixed(0)} MB`);
      // Aborted bodies are cleaned up as their requests close; give the last ones a moment.
      for (let k = 0; k < 50 && filesUnder(`${env.uploadDir}/tmp`) > 0; k++) await new Promise((r) => setTimeout(r, 100));
      const leftInTmp = filesUnder(`${env.uploadDir}/tmp`);
      if (leftInTmp) failures.push(`${leftInTmp} temporary files left in the upload store`);
      // Genuine clips under hostile file names are legitimate entries; the invariant check then
      // proves every stored file belongs to one and every record has its file.
      const { rows } = await env.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM entries WHERE contest_id = $1', [contest.id]);
      facts.push(`${rows[0]!.n} entries stored (real clips sent under hostile file names), ${filesUnder(`${env.uploadDir}/files`)} files`);
      const good = multipartBody(entryFields(999_999), 64 * 1024);
      const ok = await fetch(`${portal.url}${path}`, { method: 'POST', headers: { 'content-type': good.contentType }, body: good.body });
      facts.push(`a normal submission afterwards: ${ok.status}`);
      if (ok.status !== 201) failures.push(`a normal submission afterwards got ${ok.status}`);
    } finally {
      portal.child.kill('SIGTERM');
      await portal.exited;
    }
    return { facts, failures };
  },
};
