import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { malformedCase, sendRaw } from '../../../src/drill/malformed';
import { errorHandler } from '../../../src/http/errorHandler';
import { translate } from '../../../src/i18n';
import { createLogger } from '../../../src/shared/logger';
import { withUploadTransaction } from '../../../src/storage/files';
import { UploadStore } from '../../../src/storage/store';
import { acceptUpload } from '../../../src/storage/upload';
import { resetDb, testDb } from '../../helpers/db';

/**
 * Malformed multipart bodies (every kind the flood drill sends, 20 of each) against the real
 * upload middleware and transaction: each gets a 4xx or a closed connection, never a 5xx, and no
 * byte stays in the store. The 10,000-body version with memory readings is `npm run drill`.
 */
const db = testDb();
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'clipjury-hostile-'));
const store = new UploadStore(root);
const MP4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.alloc(500, 1)]);

const app = express();
app.use((req, _res, next) => {
  req.t = (k, p) => translate('en', k, p);
  next();
});
app.post('/up', acceptUpload({ store, field: 'video', kinds: ['mp4', 'mov', 'webm'], maxBytes: 1024 * 1024 }), async (req, res) => {
  const upload = req.upload;
  if (!upload) return res.status(422).json({ error: 'no_file' });
  const row = await withUploadTransaction(db.pool, store, (_tx, place) => place(upload, 'entry_video'));
  res.status(201).json({ id: row.id });
});
app.use(errorHandler(createLogger('silent')));

const files = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).length : 0);
let server: http.Server;
let port: number;

beforeAll(async () => {
  await resetDb(db.pool);
  server = http.createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as net.AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await db.close();
  fs.rmSync(root, { recursive: true, force: true });
});

test('280 malformed bodies: no 5xx, nothing accepted but real clips, nothing left behind, and a good upload works after', async () => {
  const byKind: Record<string, Record<number, number>> = {};
  for (let i = 0; i < 280; i++) {
    const c = malformedCase(i, '/up', `127.0.0.1:${port}`);
    const status = await sendRaw(port, c, 5000);
    (byKind[c.kind] ??= {})[status] = ((byKind[c.kind] ?? {})[status] ?? 0) + 1;
  }
  // A real clip under a hostile name is accepted: the name is only a label, the stored path is ours.
  expect(byKind['long-and-traversal-filename']).toEqual({ 201: 20 });
  delete byKind['long-and-traversal-filename'];
  const statuses = Object.values(byKind).flatMap((m) => Object.keys(m).map(Number));
  expect(statuses.filter((s) => s >= 500 || s === 201 || s === 200)).toEqual([]);
  expect(Object.keys(byKind).length).toBe(13);
  // Aborted bodies are cleaned up when the request closes, a moment after the socket drops.
  for (let k = 0; k < 100 && files(store.tmpDir) > 0; k++) await new Promise((r) => setTimeout(r, 100));
  expect(files(store.tmpDir)).toBe(0);
  expect(files(store.filesDir)).toBe(20);
  const names = (await db.pool.query<{ storage_key: string; original_name: string }>('SELECT storage_key, original_name FROM stored_files')).rows;
  expect(names.length).toBe(20);
  for (const n of names) {
    expect(n.storage_key).toMatch(/^[0-9a-f]{2}\/[0-9a-f-]{36}\.mp4$/);
    expect(fs.existsSync(store.pathOf(n.storage_key))).toBe(true);
  }
  expect(fs.existsSync('/etc/passwd%00.mp4')).toBe(false);

  const ok = await request(app).post('/up').field('title', 'Khoảnh khắc').attach('video', MP4, { filename: 'clip.mp4' });
  expect(ok.status).toBe(201);
  expect(files(store.filesDir)).toBe(21);
});
