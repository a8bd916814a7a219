import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { one } from '../../../src/db';
import { submissionSchema } from '../../../src/entries/schemas';
import { submitEntry, type SubmitContext } from '../../../src/entries/service';
import { uploadStore } from '../../../src/storage/store';
import { resetDb, testDb } from '../../helpers/db';
import { createContest } from '../../helpers/factories';
import { entriesSubmission, entriesUploadDir } from '../../helpers/factories/entries';

/** With the network allowed, a loopback server stands in for TikTok (short links and oEmbed). */
const db = testDb();
const store = uploadStore(entriesUploadDir());
let server: http.Server;
let origin: string;
let slowMs = 0;

beforeAll(async () => {
  await resetDb(db.pool);
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const answer = () => {
      if (url.pathname === '/ZSJxxYv2K/') {
        res.writeHead(301, { location: 'https://www.tiktok.com/@congdoanvietnam/video/7003421587766431002' });
        return res.end();
      }
      if (url.pathname === '/oembed') {
        const tagged = (url.searchParams.get('url') ?? '').endsWith('7003421587766431002');
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ title: tagged ? 'Cảm ơn tuyến đầu #ThoiKhacKhoQuen' : 'không có thẻ', author_unique_id: 'someone' }));
      }
      res.writeHead(404);
      res.end();
    };
    if (slowMs) setTimeout(answer, slowMs);
    else answer();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await db.close();
});

const ctx = (timeoutMs = 2500): SubmitContext => ({
  now: new Date(),
  ip: '127.0.0.1',
  lang: 'vi',
  idempotencyKey: null,
  upload: undefined,
  tiktok: { enabled: true, timeoutMs, origin },
  rateLimits: { enabled: false, perIpPerHour: 1, perEntrantPerHour: 1 },
  secret: 'test-secret',
  publicUrl: undefined,
});

describe('submission with TikTok reachable', () => {
  it('resolves a short link at submit time and verifies the hashtag from the caption', async () => {
    const c = await createContest(db, { code_prefix: 'ONL', opens_at: new Date('2021-08-31T17:00:00Z') });
    const input = submissionSchema(c, [], new Date()).parse(entriesSubmission({ tiktokUrl: 'https://vm.tiktok.com/ZSJxxYv2K/' }));
    const r = await submitEntry(db.pool, store, c, input, ctx());
    expect(r).toMatchObject({ videoId: '7003421587766431002', linkStatus: 'ok', hashtagStatus: 'verified', postedEarly: false });
    const row = await one(db.pool, 'SELECT canonical_url, caption, tiktok_author FROM entries WHERE id = $1', [r.entryId]);
    expect(row).toEqual({ canonical_url: 'https://www.tiktok.com/@congdoanvietnam/video/7003421587766431002', caption: 'Cảm ơn tuyến đầu #ThoiKhacKhoQuen', tiktok_author: 'someone' });
  });

  it('a caption without the hashtag is marked missing for the organisers, not refused', async () => {
    const c = await createContest(db, { code_prefix: 'ONM' });
    const input = submissionSchema(c, [], new Date()).parse(entriesSubmission());
    const r = await submitEntry(db.pool, store, c, input, ctx());
    expect(r).toMatchObject({ linkStatus: 'ok', hashtagStatus: 'missing' });
  });

  it('a TikTok slower than the budget never holds the form past 3 s: link to verify, hashtag unchecked', async () => {
    const c = await createContest(db, { code_prefix: 'ONS' });
    slowMs = 5000;
    try {
      const input = submissionSchema(c, [], new Date()).parse(entriesSubmission({ tiktokUrl: 'https://vm.tiktok.com/ZSJxxYv2K/' }));
      const t0 = Date.now();
      const r = await submitEntry(db.pool, store, c, input, ctx(10_000));
      expect(Date.now() - t0).toBeLessThan(3500);
      expect(r).toMatchObject({ linkStatus: 'to_verify', hashtagStatus: 'unchecked', videoId: null });
    } finally {
      slowMs = 0;
    }
  });
});
