import net from 'node:net';
import { startPortalProcess } from '../portal';
import { createDrillContest, entryFields, streamUpload } from '../fixtures';
import type { Drill } from '../types';

const SIZE = 1024 * 1024 * 1024;

/**
 * Issue 8: SIGTERM while a 1 GiB original file is being uploaded. The upload in flight finishes
 * and is committed, new connections are refused once the signal arrived, and the process exits 0.
 */
export const sigtermUploadDrill: Drill = {
  name: 'sigterm-upload',
  describe: 'SIGTERM during a 1 GiB upload: it finishes and is committed, new connections are refused, exit 0',
  async run(env) {
    const facts: string[] = [];
    const failures: string[] = [];
    const contest = await createDrillContest(env.pool, 'dien-tap-sigterm', 1100);
    const portal = await startPortalProcess({ DATABASE_URL: env.databaseUrl, UPLOAD_DIR: env.uploadDir, DATA_DIR: env.dataDir, MAX_UPLOAD_MB: '1100', SHUTDOWN_TIMEOUT_MS: '120000' });
    let signalled = false;
    let refused: boolean | null = null;
    const port = Number(new URL(portal.url).port);
    const upload = streamUpload(`${portal.url}/api/v1/contests/${contest.slug}/entries`, entryFields(1), SIZE, (sent) => {
      if (!signalled && sent >= SIZE / 5) {
        signalled = true;
        portal.child.kill('SIGTERM');
        setTimeout(() => {
          const s = net.connect(port, '127.0.0.1');
          s.once('connect', () => {
            refused = false;
            s.destroy();
          });
          s.once('error', () => (refused = true));
        }, 300);
      }
    });
    const answer = await upload;
    const exit = await portal.exited;
    facts.push(`upload answered ${answer.status} after SIGTERM at 20 %; the process exited ${exit.code} ${exit.ms} ms after the signal`);
    if (answer.status !== 201) failures.push(`the upload in flight got ${answer.status}: ${answer.body.slice(0, 200)}`);
    if (refused !== true) failures.push('a new connection was accepted after SIGTERM');
    else facts.push('a new connection after SIGTERM was refused');
    if (exit.code !== 0) failures.push(`exit code ${exit.code}`);
    const { rows } = await env.pool.query<{ size_bytes: string }>(
      'SELECT f.size_bytes::text FROM entries e JOIN stored_files f ON f.id = e.video_file_id WHERE e.contest_id = $1',
      [contest.id],
    );
    facts.push(`committed: ${rows.length} entry with a file of ${rows[0]?.size_bytes ?? 0} bytes`);
    if (rows.length !== 1 || Number(rows[0]!.size_bytes) !== SIZE) failures.push('the 1 GiB entry is not committed whole');
    return { facts, failures };
  },
};
