import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { one } from '../../../src/db';
import { errorHandler } from '../../../src/http/errorHandler';
import { createLogger } from '../../../src/shared/logger';
import { acceptUpload } from '../../../src/storage/upload';
import { findStoredFile, placementLockKey, sendStoredFile, sweepOrphans, sweepPlacedOrphans, withUploadTransaction } from '../../../src/storage/files';
import { UploadStore } from '../../../src/storage/store';
import { onServer, resetDb, testDb } from '../../helpers/db';
import { translate } from '../../../src/i18n';

const db = testDb();
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'clipjury-store-'));
const store = new UploadStore(root);
const MP4_HEAD = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.alloc(500, 1)]);

/** A minimal app around the upload pieces: the real middleware, a real transaction. */
function appWith(failAfterPlace = false) {
  const app = express();
  app.use((req, _res, next) => {
    req.t = (k, p) => translate('en', k, p);
    next();
  });
  app.post('/up', acceptUpload({ store, field: 'video', kinds: ['mp4', 'mov', 'webm'], maxBytes: 4096 }), async (req, res) => {
    const upload = req.upload;
    if (!upload) return res.status(422).json({ error: 'no_file' });
    const row = await withUploadTransaction(db.pool, store, async (_tx, place) => {
      const placed = await place(upload, 'entry_video');
      if (failAfterPlace) throw new Error('boom after placing');
      return placed;
    });
    res.status(201).json({ id: row.id, sha256: row.sha256, title: req.body.title });
  });
  app.get('/files/:id', async (req, res) => {
    const file = await findStoredFile(db.pool, Number(req.params.id));
    if (!file) return res.sendStatus(404);
    await sendStoredFile(req, res, store, file);
  });
  app.use(errorHandler(createLogger('silent')));
  return app;
}

const listFiles = (dir: string): string[] =>
  fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => d.name) : [];

beforeAll(() => resetDb(db.pool));
afterAll(async () => {
  await db.close();
  fs.rmSync(root, { recursive: true, force: true });
});

test('a good clip is hashed, recorded and moved into the store; Range requests get 206', async () => {
  const body = Buffer.concat([MP4_HEAD, Buffer.alloc(1000, 7)]);
  const res = await request(appWith()).post('/up').field('title', 'Khoảnh khắc').attach('video', body, { filename: 'clip.mp4', contentType: 'video/mp4' });
  expect(res.status).toBe(201);
  expect(res.body.title).toBe('Khoảnh khắc');
  const expected = createHash('sha256').update(body).digest('hex');
  expect(res.body.sha256).toBe(expected);
  const row = await one<{ size_bytes: number; mime: string; storage_key: string }>(db.pool, 'SELECT size_bytes, mime, storage_key FROM stored_files WHERE id = $1', [res.body.id]);
  expect(row).toMatchObject({ size_bytes: body.length, mime: 'video/mp4' });
  expect(fs.readFileSync(store.pathOf(row.storage_key)).equals(body)).toBe(true);
  expect(listFiles(store.tmpDir)).toEqual([]);

  const ranged = await request(appWith()).get(`/files/${res.body.id}`).set('Range', 'bytes=0-11').buffer(true).parse((r, cb) => {
    const chunks: Buffer[] = [];
    r.on('data', (c: Buffer) => chunks.push(c));
    r.on('end', () => cb(null, Buffer.concat(chunks)));
  });
  expect(ranged.status).toBe(206);
  expect(ranged.headers['content-range']).toBe(`bytes 0-11/${body.length}`);
  expect((ranged.body as Buffer).equals(body.subarray(0, 12))).toBe(true);
});

test('an HTML page renamed .mp4 is refused with 415 and leaves nothing', async () => {
  const before = listFiles(root).length;
  const res = await request(appWith()).post('/up').attach('video', Buffer.from('<!doctype html><html><script>x</script></html>'), { filename: 'clip.mp4', contentType: 'video/mp4' });
  expect(res.status).toBe(415);
  expect(listFiles(root).length).toBe(before);
});

test('a file over the limit is refused with 413 and leaves nothing', async () => {
  const before = listFiles(root).length;
  const res = await request(appWith()).post('/up').attach('video', Buffer.concat([MP4_HEAD, Buffer.alloc(8000)]), { filename: 'big.mp4' });
  expect(res.status).toBe(413);
  expect(listFiles(root).length).toBe(before);
  expect(listFiles(store.tmpDir)).toEqual([]);
});

test('a transaction that fails after placing the file removes it again', async () => {
  const count = async () => (await one<{ n: number }>(db.pool, 'SELECT count(*)::int AS n FROM stored_files')).n;
  const rowsBefore = await count();
  const filesBefore = listFiles(store.filesDir).length;
  const res = await request(appWith(true)).post('/up').attach('video', MP4_HEAD, { filename: 'clip.mp4' });
  expect(res.status).toBe(500);
  expect(await count()).toBe(rowsBefore);
  expect(listFiles(store.filesDir).length).toBe(filesBefore);
  expect(listFiles(store.tmpDir)).toEqual([]);
});

test('an upload aborted mid-stream leaves nothing behind', async () => {
  const server = appWith().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const port = (server.address() as net.AddressInfo).port;
  const before = listFiles(root).length;
  const boundary = 'xxBOUNDARYxx';
  const socket = net.connect(port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  socket.write(
    `POST /up HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: 100000\r\n\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="video"; filename="a.mp4"\r\nContent-Type: video/mp4\r\n\r\n`,
  );
  socket.write(MP4_HEAD);
  await new Promise((r) => setTimeout(r, 100));
  socket.destroy();
  // Give the server a moment to notice the closed socket and clean up.
  for (let i = 0; i < 50 && listFiles(store.tmpDir).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
  expect(listFiles(store.tmpDir)).toEqual([]);
  expect(listFiles(root).length).toBe(before);
  server.close();
});

test('the sweeper removes old temp files and files no row points at, and keeps the rest', async () => {
  const oldTemp = path.join(store.tmpDir, 'stale.part');
  fs.writeFileSync(oldTemp, 'x');
  const orphanKey = store.newStorageKey('.mp4');
  fs.mkdirSync(path.dirname(store.pathOf(orphanKey)), { recursive: true });
  fs.writeFileSync(store.pathOf(orphanKey), 'orphan');
  const kept = listFiles(store.filesDir).length - 1;
  const twoDaysLater = Date.now() + 2 * 86400_000;
  const result = await sweepOrphans(db.pool, store, twoDaysLater);
  expect(result).toEqual({ temp: 1, orphans: 1 });
  expect(fs.existsSync(oldTemp)).toBe(false);
  expect(listFiles(store.filesDir).length).toBe(kept);
});

/**
 * What place() does inside the submission's transaction (lock the key, record it, move the file
 * into the store), then the transaction either commits or dies without its clean-up, as in a
 * kill -9 between the move and COMMIT.
 */
async function placeThen(end: 'COMMIT' | 'crash' | 'open') {
  const key = store.newStorageKey('.mp4');
  const client = await db.pool.connect();
  await client.query('BEGIN');
  await client.query(
    `WITH held AS (SELECT pg_advisory_xact_lock(hashtextextended($2, 0)))
     INSERT INTO stored_files (storage_key, purpose, original_name, mime, size_bytes, sha256)
     SELECT $1, 'entry_video', 'clip.mp4', 'video/mp4', 6, repeat('a', 64) FROM held`,
    [key, placementLockKey(key)],
  );
  fs.mkdirSync(path.dirname(store.pathOf(key)), { recursive: true });
  fs.writeFileSync(store.pathOf(key), 'placed');
  if (end === 'open') return { key, finish: async () => { await client.query('ROLLBACK'); client.release(); } };
  await client.query(end === 'COMMIT' ? 'COMMIT' : 'ROLLBACK');
  client.release();
  return { key, finish: async () => undefined };
}

test('at start-up, a file whose transaction died before COMMIT is removed at once; a committed one is kept', async () => {
  const committed = await placeThen('COMMIT');
  const crashed = await placeThen('crash');
  expect(await sweepPlacedOrphans(db.pool, store)).toBe(1);
  expect(fs.existsSync(store.pathOf(crashed.key))).toBe(false);
  expect(fs.readFileSync(store.pathOf(committed.key), 'utf8')).toBe('placed');
});

// The embedded engine runs one transaction at a time: a sweep cannot run beside an open one there.
(onServer ? test : test.skip)('a file whose transaction is still running is left alone, and removed once it has rolled back', async () => {
  const running = await placeThen('open');
  expect(await sweepPlacedOrphans(db.pool, store)).toBe(0);
  expect(fs.existsSync(store.pathOf(running.key))).toBe(true);
  await running.finish();
  expect(await sweepPlacedOrphans(db.pool, store)).toBe(1);
  expect(fs.existsSync(store.pathOf(running.key))).toBe(false);
});
