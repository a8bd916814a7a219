import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { one } from '../../../src/db';
import { resetDb, testConfig, testDb } from '../../helpers/db';
import { makeApp } from '../../helpers/app';
import { createContest } from '../../helpers/factories';
import { entriesFilesUnder, entriesSubmission, entriesUploadDir, ENTRIES_MP4 } from '../../helpers/factories/entries';

const db = testDb();
const uploadDir = entriesUploadDir();
beforeAll(() => resetDb(db.pool));
afterAll(() => db.close());

describe('abuse and broken uploads', () => {
  it('an upload aborted mid-stream leaves no file and no entry', async () => {
    const app = makeApp(db, testConfig({ RATE_LIMITS: 'false', UPLOAD_DIR: uploadDir }));
    const c = await createContest(db, { code_prefix: 'ABT', upload_mode: 'optional' });
    const server = http.createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const boundary = '----abort';
      const fields = entriesSubmission();
      const head =
        Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v === true ? 'on' : String(v)}\r\n`).join('') +
        `--${boundary}\r\nContent-Disposition: form-data; name="video"; filename="a.mp4"\r\nContent-Type: video/mp4\r\n\r\n`;
      await new Promise<void>((resolve) => {
        const req = http.request({ host: '127.0.0.1', port, path: `/api/v1/contests/${c.slug}/entries`, method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': Buffer.byteLength(head) + 10_000_000 } });
        req.on('error', () => resolve());
        req.write(head);
        req.write(Buffer.concat([ENTRIES_MP4, Buffer.alloc(200_000, 2)]));
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 300);
      });
      await new Promise((r) => setTimeout(r, 500));
      expect(entriesFilesUnder(uploadDir)).toEqual([]);
      expect((await one<{ n: number }>(db.pool, 'SELECT count(*)::int AS n FROM entries WHERE contest_id = $1', [c.id])).n).toBe(0);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('per-IP and per-entrant limits answer 429 with Retry-After; the honeypot refuses', async () => {
    const app = makeApp(db, testConfig({ RATE_LIMITS: 'true', SUBMIT_LIMIT_PER_IP_PER_HOUR: '3', SUBMIT_LIMIT_PER_ENTRANT_PER_HOUR: '2', UPLOAD_DIR: uploadDir }));
    const c = await createContest(db, { code_prefix: 'RTL', max_entries_per_entrant: 10 });
    const post = (b: Record<string, unknown>) => request(app).post(`/api/v1/contests/${c.slug}/entries`).send(b);
    expect((await post(entriesSubmission({ phone: '0912000111' }))).status).toBe(201);
    expect((await post(entriesSubmission({ phone: '0912000111' }))).status).toBe(201);
    const third = await post(entriesSubmission({ phone: '0912000111' }));
    expect(third.status).toBe(429);
    expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
    const fourth = await post(entriesSubmission());
    expect(fourth.status).toBe(429);
    const bot = request(makeApp(db, testConfig({ RATE_LIMITS: 'false', UPLOAD_DIR: uploadDir })));
    const trap = await bot.post(`/api/v1/contests/${c.slug}/entries`).send(entriesSubmission({ website: 'http://spam.example' }));
    expect(trap.status).toBe(422);
    expect((await one<{ n: number }>(db.pool, 'SELECT count(*)::int AS n FROM entries WHERE contest_id = $1', [c.id])).n).toBe(2);
  });

  it('email or phone: one of them is enough, none is refused', async () => {
    const app = makeApp(db, testConfig({ RATE_LIMITS: 'false', UPLOAD_DIR: uploadDir }));
    const c = await createContest(db, { code_prefix: 'CNT' });
    const post = (b: Record<string, unknown>) => request(app).post(`/api/v1/contests/${c.slug}/entries`).send(b);
    expect((await post(entriesSubmission({ email: '' }))).status).toBe(201);
    expect((await post(entriesSubmission({ phone: undefined }))).status).toBe(201);
    const none = await post(entriesSubmission({ phone: '', email: '' }));
    expect(none.status).toBe(422);
    expect(Object.keys(none.body.errors)).toEqual(['email']);
    // No email, no receipt mail.
    expect((await one<{ n: number }>(db.pool, 'SELECT count(*)::int AS n FROM outbox WHERE contest_id = $1', [c.id])).n).toBe(1);
  });
});
