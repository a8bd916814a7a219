import http from 'node:http';
import { createApp } from '../../app';
import { one } from '../../db';
import { createLogger } from '../../shared/logger';
import { startPortal } from '../baseline';
import type { BenchSuite } from '../types';

const SIZE = 1024 ** 3;
const CHUNK = Buffer.alloc(1024 * 1024, 0x2a);

/**
 * Issue 4's memory bar: one 1 GiB original file through the multipart submit API, streamed by a
 * client in the same process; the process's RSS is sampled every 25 ms. Goal: growth < 100 MB.
 * The baseline is the RSS before the upload, measured in the same run.
 */
export const uploadSuite: BenchSuite = {
  name: 'upload',
  describe: 'one 1 GiB clip through POST /api/v1/contests/:slug/entries (multipart), RSS sampled every 25 ms',
  env: { MAX_UPLOAD_MB: '1100' },
  async run(env, log) {
    await one(
      env.db.pool,
      `INSERT INTO contests (slug, title, hashtags, opens_at, closes_at, code_prefix, upload_mode, max_upload_mb, state)
       VALUES ('bench-upload', 'Bench upload', '{ThoiKhacKhoQuen}', now() - interval '1 day', now() + interval '1 day', 'TKKQ', 'optional', 1100, 'published')
       RETURNING id`,
    );
    const app = createApp({ config: env.config, db: env.db, logger: createLogger('silent'), sessionSecret: 'x'.repeat(40), pruneSessions: false });
    const portal = await startPortal(app);
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
    const t0 = Date.now();
    try {
      const boundary = '----clipjurybench';
      const fields: Record<string, string> = {
        tiktokUrl: 'https://www.tiktok.com/@bench/video/7003421587766431002',
        title: 'Clip gốc 1 GiB',
        fullName: 'Nguyễn Văn Tải',
        email: 'upload@example.vn',
        consent: 'on',
        hashtagConfirmed: 'on',
      };
      const head = Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join('') +
        `--${boundary}\r\nContent-Disposition: form-data; name="video"; filename="goc.mp4"\r\nContent-Type: video/mp4\r\n\r\n`;
      const tail = `\r\n--${boundary}--\r\n`;
      const mp4Head = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.alloc(12)]);
      const url = new URL(`${portal.url}/api/v1/contests/bench-upload/entries`);
      const status = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': Buffer.byteLength(head) + SIZE + Buffer.byteLength(tail) } }, (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.write(head);
        req.write(mp4Head);
        let sent = mp4Head.length;
        const pump = () => {
          while (sent < SIZE) {
            const n = Math.min(CHUNK.length, SIZE - sent);
            sent += n;
            if (!req.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))) return void req.once('drain', pump);
          }
          req.end(tail);
        };
        pump();
      });
      const seconds = (Date.now() - t0) / 1000;
      const growth = (peak - rssBefore) / 2 ** 20;
      const stored = await one<{ size: number | null }>(env.db.pool, `SELECT max(size_bytes)::float8 AS size FROM stored_files WHERE purpose = 'entry_video'`);
      log(`upload: ${status.status} in ${seconds.toFixed(1)} s, RSS ${(rssBefore / 2 ** 20).toFixed(0)} → peak ${(peak / 2 ** 20).toFixed(0)} MB, stored ${stored.size} bytes`);
      return [
        { benchmark: '1 GiB original file, multipart API', measure: 'answer, stored size', value: `${status.status}, ${stored.size ?? 0} bytes`, goal: '201, 1073741824 bytes', pass: status.status === 201 && stored.size === SIZE },
        { benchmark: '1 GiB original file, multipart API', measure: 'RSS growth (peak − before)', value: `${growth.toFixed(1)} MB`, baseline: `RSS before: ${(rssBefore / 2 ** 20).toFixed(0)} MB`, goal: '< 100 MB', pass: growth < 100 },
        { benchmark: '1 GiB original file, multipart API', measure: 'time', value: `${seconds.toFixed(1)} s (${(SIZE / 2 ** 20 / seconds).toFixed(0)} MB/s)` },
      ];
    } finally {
      clearInterval(sampler);
      await portal.close();
    }
  },
};
