import request from 'supertest';
import { one } from '../../../src/db';
import { resetDb, testConfig, testDb } from '../../helpers/db';
import { makeApp } from '../../helpers/app';
import { createContest, createEntry } from '../../helpers/factories';
import { entriesFilesUnder, entriesSubmission, entriesUploadDir, entriesVideoId, ENTRIES_MP4 } from '../../helpers/factories/entries';
import { submitEntry } from '../../../src/entries/service';
import { submissionSchema } from '../../../src/entries/schemas';
import { uploadStore } from '../../../src/storage/store';
import { videoIdAt } from '../../../src/tiktok/links';

const db = testDb();
const uploadDir = entriesUploadDir();
const config = testConfig({ RATE_LIMITS: 'false', UPLOAD_DIR: uploadDir });
const app = makeApp(db, config);
let prefixN = 0;
const prefix = () => `E${String(++prefixN).padStart(3, '0')}`;

beforeAll(() => resetDb(db.pool));
afterAll(() => db.close());

const post = (slug: string, body: Record<string, unknown>, key?: string) => {
  const r = request(app).post(`/api/v1/contests/${slug}/entries`).send(body);
  return key ? r.set('Idempotency-Key', key) : r;
};
const count = async (sql: string, params: unknown[] = []) => (await one<{ n: number }>(db.pool, sql, params)).n;

describe('POST /api/v1/contests/:slug/entries', () => {
  it('creates an entry with a code, the canonical link, normalised entrant data, consent and a queued receipt', async () => {
    const c = await createContest(db, { code_prefix: prefix() });
    const id = entriesVideoId();
    const res = await post(c.slug, entriesSubmission({ tiktokUrl: `https://m.tiktok.com/v/${id}.html`, phone: '+84 912 345 678', email: ' Linh@Example.VN ', fullName: 'Trúc   Linh' }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ code: `${c.code_prefix}-00001`, status: 'received', videoId: id, canonicalUrl: `https://www.tiktok.com/@/video/${id}`, linkStatus: 'ok', hashtagStatus: 'unchecked' });
    expect(res.body.entrantUrl).toMatch(new RegExp(`^/c/${c.slug}/my/${c.code_prefix}-00001\\?t=[A-Za-z0-9_-]{32}$`));
    const row = await one<Record<string, unknown>>(
      db.pool,
      `SELECT e.video_id, e.consent_rules_version, e.consent_at IS NOT NULL AS consented, e.hashtag_confirmed, p.phone_e164, p.email::text AS email, p.full_name, p.display_name
         FROM entries e JOIN entrants p ON p.id = e.entrant_id WHERE e.contest_id = $1`,
      [c.id],
    );
    expect(row).toEqual({ video_id: id, consent_rules_version: 1, consented: true, hashtag_confirmed: true, phone_e164: '+84912345678', email: 'linh@example.vn', full_name: 'Trúc Linh', display_name: 'Trúc Linh' });
    const mail = await one<{ to_address: string; subject: string; text_body: string }>(db.pool, 'SELECT to_address, subject, text_body FROM outbox WHERE contest_id = $1', [c.id]);
    expect(mail.to_address).toBe('linh@example.vn');
    expect(mail.subject).toContain(`${c.code_prefix}-00001`);
    expect(mail.text_body).toContain(res.body.entrantUrl);
    expect(await count('SELECT entry_numbers_issued($1) AS n', [c.id])).toBe(1);
  });

  it('a submission refused by its checks takes no number', async () => {
    const c = await createContest(db, { code_prefix: prefix() });
    const a = await post(c.slug, entriesSubmission());
    const dupLink = a.body.canonicalUrl as string;
    const refused = await post(c.slug, entriesSubmission({ tiktokUrl: dupLink }));
    const b = await post(c.slug, entriesSubmission());
    expect([a.status, refused.status, b.status]).toEqual([201, 409, 201]);
    expect([a.body.code, b.body.code]).toEqual([`${c.code_prefix}-00001`, `${c.code_prefix}-00002`]);
  });

  it('deadline − 1 s accepted; deadline + grace + 1 s refused; not yet open refused', async () => {
    const now = Date.now();
    const justOpen = await createContest(db, { code_prefix: prefix(), opens_at: new Date(now - 86400_000), closes_at: new Date(now + 1000), grace_minutes: 0 });
    expect((await post(justOpen.slug, entriesSubmission())).status).toBe(201);
    const inGrace = await createContest(db, { code_prefix: prefix(), opens_at: new Date(now - 86400_000), closes_at: new Date(now - 60_000), grace_minutes: 2 });
    expect((await post(inGrace.slug, entriesSubmission())).status).toBe(201);
    const pastGrace = await createContest(db, { code_prefix: prefix(), opens_at: new Date(now - 86400_000), closes_at: new Date(now - 121_000), grace_minutes: 2 });
    const late = await post(pastGrace.slug, entriesSubmission());
    expect(late.status).toBe(403);
    expect(late.body).toEqual({ error: 'submissions_closed' });
    const notYet = await createContest(db, { code_prefix: prefix(), opens_at: new Date(now + 3600_000), closes_at: new Date(now + 7200_000) });
    expect((await post(notYet.slug, entriesSubmission())).body).toEqual({ error: 'submissions_closed' });
    const draft = await createContest(db, { code_prefix: prefix(), state: 'draft' });
    expect((await post(draft.slug, entriesSubmission())).status).toBe(404);
    expect(await count('SELECT count(*)::int AS n FROM entries WHERE contest_id = ANY($1)', [[pastGrace.id, notYet.id, draft.id]])).toBe(0);
  });

  it('a bad phone, a missing consent, a bad link → 422 naming the fields', async () => {
    const c = await createContest(db, { code_prefix: prefix() });
    const res = await post(c.slug, entriesSubmission({ phone: '12345', consent: false, title: '' }));
    expect(res.status).toBe(422);
    expect(res.body.error).toBe('validation_failed');
    expect(Object.keys(res.body.errors).sort()).toEqual(['consent', 'phone', 'title']);
    expect(res.body.errors.phone).toMatch(/0912 345 678/);
    const bad = await post(c.slug, entriesSubmission({ tiktokUrl: 'https://tiktok.com.evil.example/@u/video/7003421587766431002' }));
    expect(bad.status).toBe(422);
    expect(bad.body.errors.tiktokUrl).toMatch(/https:\/\/www\.tiktok\.com\/@/);
    expect(await count('SELECT count(*)::int AS n FROM entries WHERE contest_id = $1', [c.id])).toBe(0);
  });

  it('duplicate clip by another link form → 409, one entry', async () => {
    const c = await createContest(db, { code_prefix: prefix() });
    const id = entriesVideoId();
    expect((await post(c.slug, entriesSubmission({ tiktokUrl: `https://www.tiktok.com/@a/video/${id}` }))).status).toBe(201);
    const again = await post(c.slug, entriesSubmission({ tiktokUrl: `https://www.tiktok.com/embed/v2/${id}` }));
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ error: 'duplicate_clip' });
    expect(await count('SELECT count(*)::int AS n FROM entries WHERE contest_id = $1', [c.id])).toBe(1);
    expect(await count('SELECT count(*)::int AS n FROM entrants WHERE contest_id = $1', [c.id])).toBe(1);
  });

  it('50 concurrent identical submissions with one Idempotency-Key → one entry, 50 identical receipts', async () => {
    const c = await createContest(db, { code_prefix: prefix() });
    const body = entriesSubmission();
    const answers = await Promise.all(Array.from({ length: 50 }, () => post(c.slug, body, 'retry-key-1')));
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(201));
    const first = answers[0]?.body;
    for (const a of answers) expect(a.body).toEqual(first);
    expect(await count('SELECT count(*)::int AS n FROM entries WHERE contest_id = $1', [c.id])).toBe(1);
    expect(await count('SELECT count(*)::int AS n FROM entrants WHERE contest_id = $1', [c.id])).toBe(1);
    expect(await count('SELECT count(*)::int AS n FROM outbox WHERE contest_id = $1', [c.id])).toBe(1);
    expect(await count('SELECT entry_numbers_issued($1) AS n', [c.id])).toBe(1);
  });

  it('the same body without a key, sent twice at once → one entry and one 409', async () => {
    const c = await createContest(db, { code_prefix: prefix() });
    const body = entriesSubmission();
    const answers = await Promise.all([post(c.slug, body), post(c.slug, body)]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
    expect(await count('SELECT count(*)::int AS n FROM entries WHERE contest_id = $1', [c.id])).toBe(1);
  });

  it('max entries per entrant, by phone or by email', async () => {
    const c = await createContest(db, { code_prefix: prefix(), max_entries_per_entrant: 2 });
    const phone = '0987 654 321';
    expect((await post(c.slug, entriesSubmission({ phone }))).status).toBe(201);
    expect((await post(c.slug, entriesSubmission({ phone: '+84987654321' }))).status).toBe(201);
    const third = await post(c.slug, entriesSubmission({ phone: '84 987.654.321' }));
    expect(third.status).toBe(409);
    expect(third.body).toEqual({ error: 'entrant_limit' });
    const email = 'same@example.vn';
    const c2 = await createContest(db, { code_prefix: prefix(), max_entries_per_entrant: 1 });
    expect((await post(c2.slug, entriesSubmission({ email }))).status).toBe(201);
    expect((await post(c2.slug, entriesSubmission({ email: 'SAME@example.vn' }))).status).toBe(409);
  });

  it('min age, national id and the contest\'s own fields', async () => {
    const c = await createContest(db, { code_prefix: prefix(), min_age: 18, entrant_fields: { dateOfBirth: 'required', nationalId: 'optional', province: 'required' } });
    const young = new Date();
    young.setFullYear(young.getFullYear() - 17);
    const r1 = await post(c.slug, entriesSubmission({ dateOfBirth: young.toISOString().slice(0, 10), nationalId: '1234', province: '' }));
    expect(r1.status).toBe(422);
    expect(Object.keys(r1.body.errors).sort()).toEqual(['dateOfBirth', 'nationalId', 'province']);
    const r2 = await post(c.slug, entriesSubmission({ dateOfBirth: '1990-05-01', nationalId: '001 090 012 345', province: 'Hà Nội' }));
    expect(r2.status).toBe(201);
    const p = await one(db.pool, `SELECT to_char(date_of_birth, 'YYYY-MM-DD') AS dob, national_id, province FROM entrants WHERE contest_id = $1`, [c.id]);
    expect(p).toEqual({ dob: '1990-05-01', national_id: '001090012345', province: 'Hà Nội' });
  });

  it('early clip: rejected or flagged as the contest says', async () => {
    const opens = new Date(Math.floor((Date.now() - 10 * 86400_000) / 1000) * 1000);
    const early = () => videoIdAt(new Date(opens.getTime() - 1000), BigInt(Math.floor(Math.random() * 1e9)));
    const onTime = () => videoIdAt(opens, BigInt(Math.floor(Math.random() * 1e9)));
    const rej = await createContest(db, { code_prefix: prefix(), opens_at: opens, early_clip_policy: 'reject' });
    const r1 = await post(rej.slug, entriesSubmission({ tiktokUrl: `https://www.tiktok.com/@a/video/${early()}` }));
    expect(r1.status).toBe(422);
    expect(Object.keys(r1.body.errors)).toEqual(['tiktokUrl']);
    expect((await post(rej.slug, entriesSubmission({ tiktokUrl: `https://www.tiktok.com/@a/video/${onTime()}` }))).status).toBe(201);
    const flag = await createContest(db, { code_prefix: prefix(), opens_at: opens, early_clip_policy: 'flag' });
    const r2 = await post(flag.slug, entriesSubmission({ tiktokUrl: `https://www.tiktok.com/@a/video/${early()}` }));
    expect(r2.status).toBe(201);
    expect(r2.body.postedEarly).toBe(true);
  });

  it('a short link without the network is accepted as "link to verify"', async () => {
    const c = await createContest(db, { code_prefix: prefix() });
    const res = await post(c.slug, entriesSubmission({ tiktokUrl: 'https://vm.tiktok.com/ZSJxxYv2K/' }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ linkStatus: 'to_verify', videoId: null, canonicalUrl: null });
  });

  it('the hashtag confirmation is required when the contest has one', async () => {
    const c = await createContest(db, { code_prefix: prefix() });
    const res = await post(c.slug, entriesSubmission({ hashtagConfirmed: false }));
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.errors)).toEqual(['hashtagConfirmed']);
  });

  it('a crash just before COMMIT leaves no entry, entrant, mail or file; its number is not given again', async () => {
    const c = await createContest(db, { code_prefix: prefix(), upload_mode: 'optional' });
    const store = uploadStore(uploadDir);
    const before = entriesFilesUnder(store.filesDir).length;
    const fs = await import('node:fs');
    const temp = store.newTempPath();
    fs.writeFileSync(temp, ENTRIES_MP4);
    const input = submissionSchema(c, [], new Date()).parse(entriesSubmission());
    await expect(
      submitEntry(db.pool, store, c, input, {
        now: new Date(), ip: '127.0.0.1', lang: 'vi', idempotencyKey: null,
        upload: { field: 'video', tempPath: temp, size: ENTRIES_MP4.length, sha256: 'a'.repeat(64), kind: 'mp4', mime: 'video/mp4', originalName: 'clip.mp4' },
        tiktok: { enabled: false, timeoutMs: 100 }, rateLimits: { enabled: false, perIpPerHour: 1, perEntrantPerHour: 1 }, secret: 's', publicUrl: undefined,
        beforeCommit: async () => { throw new Error('power cut'); },
      }),
    ).rejects.toThrow('power cut');
    expect(await count('SELECT count(*)::int AS n FROM entries WHERE contest_id = $1', [c.id])).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM entrants WHERE contest_id = $1', [c.id])).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM outbox WHERE contest_id = $1', [c.id])).toBe(0);
    // Sequences are not transactional (migration 060): the number is spent, the next entry skips it.
    expect(await count('SELECT entry_numbers_issued($1) AS n', [c.id])).toBe(1);
    expect(entriesFilesUnder(store.filesDir).length).toBe(before);
  });

  it('an entry created by the factory still blocks the same clip', async () => {
    const c = await createContest(db, { code_prefix: prefix() });
    const e = await createEntry(db, c);
    const res = await post(c.slug, entriesSubmission({ tiktokUrl: `https://www.tiktok.com/player/v1/${e.video_id}` }));
    expect(res.status).toBe(409);
  });
});
