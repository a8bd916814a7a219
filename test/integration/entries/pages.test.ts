import fs from 'node:fs';
import request from 'supertest';
import { execute, one } from '../../../src/db';
import { resetDb, testConfig, testDb } from '../../helpers/db';
import { agentAs, csrfFrom, makeApp } from '../../helpers/app';
import { createContest, createEntry } from '../../helpers/factories';
import { entriesFilesUnder, entriesSubmission, entriesUploadDir, ENTRIES_MP4 } from '../../helpers/factories/entries';

const db = testDb();
const uploadDir = entriesUploadDir();
const app = makeApp(db, testConfig({ RATE_LIMITS: 'false', UPLOAD_DIR: uploadDir }));
let pn = 0;
const prefix = () => `P${String(++pn).padStart(3, '0')}`;

beforeAll(() => resetDb(db.pool));
afterAll(() => db.close());

async function formPost(agent: ReturnType<typeof request.agent>, slug: string, fields: Record<string, unknown>, file?: { buf: Buffer; name: string }) {
  const page = await agent.get(`/c/${slug}/submit`);
  const token = csrfFrom(page.text);
  const formToken = /name="formToken" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
  let r = agent.post(`/c/${slug}/submit`).field('_csrf', token).field('formToken', formToken);
  for (const [k, v] of Object.entries(fields)) r = r.field(k, v === true ? 'on' : v === false ? '' : String(v));
  if (file) r = r.attach('video', file.buf, file.name);
  return r;
}

describe('the HTML form', () => {
  it('shows when it opens, or that it closed', async () => {
    const later = await createContest(db, { code_prefix: prefix(), opens_at: new Date(Date.now() + 86400_000), closes_at: new Date(Date.now() + 2 * 86400_000) });
    const res = await request(app).get(`/c/${later.slug}/submit`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('bắt đầu nhận bài lúc');
    expect(res.text).not.toContain('name="tiktokUrl"');
    const ended = await createContest(db, { code_prefix: prefix(), opens_at: new Date(Date.now() - 2 * 86400_000), closes_at: new Date(Date.now() - 86400_000) });
    expect((await request(app).get(`/c/${ended.slug}/submit`)).text).toContain('đã hết hạn nhận bài');
  });

  it('a rejected form keeps what was typed and names each field; then a receipt', async () => {
    const c = await createContest(db, { code_prefix: prefix() });
    const agent = request.agent(app);
    const body = entriesSubmission({ phone: '123', consent: false, title: 'Trúc Linh & "bạn"' });
    const bad = await formPost(agent, c.slug, body);
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('value="Trúc Linh &amp; &#34;bạn&#34;"');
    expect(bad.text).toContain(`value="${String(body.email)}"`);
    expect(bad.text).toMatch(/id="f-phone-err">Số điện thoại chưa đúng/);
    expect(bad.text).toContain('id="f-consent-err"');
    const ok = await formPost(agent, c.slug, { ...body, phone: '0912345678', consent: true });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toMatch(new RegExp(`^/c/${c.slug}/receipt/${c.code_prefix}-00001\\?t=`));
    const receipt = await agent.get(ok.headers.location as string);
    expect(receipt.status).toBe(200);
    expect(receipt.text).toContain(`${c.code_prefix}-00001`);
    // The receipt without its secret answers like an unknown code.
    expect((await agent.get(`/c/${c.slug}/receipt/${c.code_prefix}-00001?t=wrong`)).status).toBe(404);
  });

  it('a double-clicked form (same form token) makes one entry and the same receipt', async () => {
    const c = await createContest(db, { code_prefix: prefix() });
    const agent = request.agent(app);
    const page = await agent.get(`/c/${c.slug}/submit`);
    const token = csrfFrom(page.text);
    const formToken = /name="formToken" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    const body = { _csrf: token, formToken, ...entriesSubmission(), consent: 'on', hashtagConfirmed: 'on' };
    const [a, b] = await Promise.all([agent.post(`/c/${c.slug}/submit`).type('form').send(body), agent.post(`/c/${c.slug}/submit`).type('form').send(body)]);
    expect([a.status, b.status]).toEqual([303, 303]);
    expect(a.headers.location).toBe(b.headers.location);
    expect((await one<{ n: number }>(db.pool, 'SELECT count(*)::int AS n FROM entries WHERE contest_id = $1', [c.id])).n).toBe(1);
  });

  it('the original file: stored with its hash; HTML renamed .mp4 → 415 and nothing left; oversize → 413 and nothing left', async () => {
    const c = await createContest(db, { code_prefix: prefix(), upload_mode: 'optional' });
    await execute(db.pool, 'UPDATE contests SET max_upload_mb = 1 WHERE id = $1', [c.id]);
    const agent = request.agent(app);
    const ok = await formPost(agent, c.slug, entriesSubmission(), { buf: ENTRIES_MP4, name: 'Khoảnh khắc.mp4' });
    expect(ok.status).toBe(303);
    const f = await one<{ original_name: string; size_bytes: number; mime: string }>(db.pool, 'SELECT f.original_name, f.size_bytes::int AS size_bytes, f.mime FROM entries e JOIN stored_files f ON f.id = e.video_file_id WHERE e.contest_id = $1', [c.id]);
    expect(f).toEqual({ original_name: 'Khoảnh khắc.mp4', size_bytes: ENTRIES_MP4.length, mime: 'video/mp4' });
    const before = entriesFilesUnder(uploadDir).sort();
    const html = await formPost(agent, c.slug, entriesSubmission(), { buf: Buffer.from('<!doctype html><html><script>alert(1)</script></html>'.padEnd(1000, ' ')), name: 'clip.mp4' });
    expect(html.status).toBe(415);
    const big = await formPost(agent, c.slug, entriesSubmission(), { buf: Buffer.concat([ENTRIES_MP4, Buffer.alloc(1024 * 1024 + 10)]), name: 'big.mp4' });
    expect(big.status).toBe(413);
    expect(entriesFilesUnder(uploadDir).sort()).toEqual(before);
    expect((await one<{ n: number }>(db.pool, 'SELECT count(*)::int AS n FROM entries WHERE contest_id = $1', [c.id])).n).toBe(1);
  });

  it('a file with a form refused by validation leaves no file', async () => {
    const c = await createContest(db, { code_prefix: prefix(), upload_mode: 'required' });
    const before = entriesFilesUnder(uploadDir).sort();
    const res = await formPost(request.agent(app), c.slug, entriesSubmission({ consent: false }), { buf: ENTRIES_MP4, name: 'a.mp4' });
    expect(res.status).toBe(422);
    await new Promise((r) => setTimeout(r, 100));
    expect(entriesFilesUnder(uploadDir).sort()).toEqual(before);
    const missing = await formPost(request.agent(app), c.slug, entriesSubmission());
    expect(missing.status).toBe(422);
    expect(missing.text).toContain('yêu cầu gửi kèm tệp video gốc');
    expect(fs.existsSync(uploadDir)).toBe(true);
  });
});

describe("the entrant's own page", () => {
  it('code + phone opens it; the other entrant\'s code with my phone gets the same answer as an unknown code', async () => {
    const c = await createContest(db, { code_prefix: prefix() });
    const mine = await createEntry(db, c, { phone_e164: '+84912000001', email: 'me@example.vn' });
    const other = await createEntry(db, c, { phone_e164: '+84912000002', email: 'other@example.vn' });
    const agent = request.agent(app);
    const lookup = async (code: string, contact: string) => {
      const token = csrfFrom((await agent.get(`/c/${c.slug}/my`)).text);
      return agent.post(`/c/${c.slug}/my`).type('form').send({ _csrf: token, code, contact });
    };
    const wrong = await lookup(other.code, '0912 000 001');
    const unknown = await lookup(`${c.code_prefix}-99999`, '0912 000 001');
    expect(wrong.status).toBe(200);
    expect(wrong.text).toContain('Không tìm thấy bài dự thi');
    expect(unknown.text.replace(/value="[^"]*"/g, '')).toBe(wrong.text.replace(/value="[^"]*"/g, ''));
    expect((await agent.get(`/c/${c.slug}/my/${other.code}`)).status).toBe(404);
    const ok = await lookup(mine.code.toLowerCase(), '0912 000 001');
    expect(ok.status).toBe(303);
    const page = await agent.get(ok.headers.location as string);
    expect(page.status).toBe(200);
    expect(page.text).toContain(mine.title);
    expect(page.text).not.toContain(other.title);
    expect((await agent.get(`/c/${c.slug}/my/${other.code}`)).status).toBe(404);
    const byEmail = await lookup(mine.code, 'ME@example.vn');
    expect(byEmail.status).toBe(303);
  });

  it('the secret link, corrections and withdrawal before the deadline; read-only after', async () => {
    const c = await createContest(db, { code_prefix: prefix() });
    const sub = await request(app).post(`/api/v1/contests/${c.slug}/entries`).send(entriesSubmission());
    expect(sub.status).toBe(201);
    const agent = request.agent(app);
    const page = await agent.get(sub.body.entrantUrl as string);
    expect(page.status).toBe(200);
    const token = csrfFrom(page.text);
    const url = `/c/${c.slug}/my/${sub.body.code}`;
    const fixed = await agent.post(url).type('form').send({ _csrf: token, title: 'Tên mới', description: 'Mô tả mới', tiktokUrl: sub.body.canonicalUrl });
    expect(fixed.status).toBe(303);
    const row = await one(db.pool, 'SELECT e.title, e.description, p.display_name = p.full_name AS same_name FROM entries e JOIN entrants p ON p.id = e.entrant_id WHERE e.code = $1 AND e.contest_id = $2', [sub.body.code, c.id]);
    // The display name belongs to the details form now: correcting the entry leaves it alone.
    expect(row).toEqual({ title: 'Tên mới', description: 'Mô tả mới', same_name: true });
    // A stranger without the link or the look-up cannot change it.
    const stranger = request.agent(app);
    const st = csrfFrom((await stranger.get(`/c/${c.slug}/my`)).text);
    expect((await stranger.post(url).type('form').send({ _csrf: st, title: 'x', tiktokUrl: sub.body.canonicalUrl })).status).toBe(404);
    expect((await stranger.post(`${url}/withdraw`).type('form').send({ _csrf: st })).status).toBe(404);
    // After the deadline: read-only.
    await execute(db.pool, `UPDATE contests SET opens_at = now() - interval '2 days', closes_at = now() - interval '1 hour' WHERE id = $1`, [c.id]);
    const late = await agent.post(`${url}/withdraw`).type('form').send({ _csrf: token });
    expect(late.status).toBe(403);
    expect((await one<{ status: string }>(db.pool, 'SELECT status FROM entries WHERE code = $1 AND contest_id = $2', [sub.body.code, c.id])).status).toBe('received');
    expect((await agent.get(url)).text).toContain('chỉ để xem');
    // Reopened: withdrawal goes through the status function (audited) and frees the clip.
    await execute(db.pool, `UPDATE contests SET closes_at = now() + interval '1 day' WHERE id = $1`, [c.id]);
    expect((await agent.post(`${url}/withdraw`).type('form').send({ _csrf: token })).status).toBe(303);
    const w = await one<{ status: string; withdrawn: boolean }>(db.pool, 'SELECT status, withdrawn_at IS NOT NULL AS withdrawn FROM entries WHERE code = $1 AND contest_id = $2', [sub.body.code, c.id]);
    expect(w).toEqual({ status: 'withdrawn', withdrawn: true });
    expect((await one<{ n: number }>(db.pool, `SELECT count(*)::int AS n FROM audit_log WHERE action = 'entry.status_changed' AND contest_id = $1`, [c.id])).n).toBe(1);
    expect((await request(app).post(`/api/v1/contests/${c.slug}/entries`).send(entriesSubmission({ tiktokUrl: sub.body.canonicalUrl }))).status).toBe(201);
  });
});

describe('replacing the original file', () => {
  it('the entrant replaces it before the deadline: the new file is stored, the old one is gone; a stranger leaves nothing', async () => {
    const c = await createContest(db, { code_prefix: prefix(), upload_mode: 'optional' });
    const agent = request.agent(app);
    const sent = await formPost(agent, c.slug, entriesSubmission(), { buf: ENTRIES_MP4, name: 'cu.mp4' });
    expect(sent.status).toBe(303);
    const receipt = await agent.get(sent.headers.location as string);
    const myUrl = /href="(?:https?:\/\/[^/"]+)?(\/c\/[^"]+\/my\/[^"]+)"/.exec(receipt.text)?.[1]?.replace(/&amp;/g, '&') as string;
    const page = await agent.get(myUrl);
    expect(page.status).toBe(200);
    const code = /\/my\/([A-Z0-9-]+)/.exec(myUrl)?.[1] as string;
    const before = await one<{ storage_key: string }>(db.pool, 'SELECT f.storage_key FROM entries e JOIN stored_files f ON f.id = e.video_file_id WHERE e.contest_id = $1', [c.id]);
    const newer = Buffer.concat([ENTRIES_MP4, Buffer.from('second version')]);
    const res = await agent.post(`/c/${c.slug}/my/${code}/video`).field('_csrf', csrfFrom(page.text)).attach('video', newer, 'moi.mp4');
    expect(res.status).toBe(303);
    const after = await one<{ storage_key: string; original_name: string; size_bytes: number }>(db.pool, 'SELECT f.storage_key, f.original_name, f.size_bytes::int AS size_bytes FROM entries e JOIN stored_files f ON f.id = e.video_file_id WHERE e.contest_id = $1', [c.id]);
    expect(after.original_name).toBe('moi.mp4');
    expect(after.size_bytes).toBe(newer.length);
    const files = entriesFilesUnder(uploadDir);
    expect(files.some((f) => f.endsWith(after.storage_key))).toBe(true);
    expect(files.some((f) => f.endsWith(before.storage_key))).toBe(false);
    // Someone without access: 404, and the file they sent is not kept.
    const stranger = request.agent(app);
    const st = csrfFrom((await stranger.get(`/c/${c.slug}/my`)).text);
    const countBefore = entriesFilesUnder(uploadDir).length;
    expect((await stranger.post(`/c/${c.slug}/my/${code}/video`).field('_csrf', st).attach('video', ENTRIES_MP4, 'x.mp4')).status).toBe(404);
    await new Promise((r) => setTimeout(r, 100));
    expect(entriesFilesUnder(uploadDir).length).toBe(countBefore);
  });
});

describe('gallery and organiser list', () => {
  it('shows eligible entries only, searches without diacritics, pages by keyset, no personal data', async () => {
    const c = await createContest(db, { code_prefix: prefix() });
    await createEntry(db, c, { status: 'eligible', title: 'Khoảnh khắc Trúc Linh', full_name: 'Trần Văn A', display_name: 'Bạn A', email: 'secret-a@example.vn' });
    await createEntry(db, c, { status: 'received', title: 'Chưa duyệt' });
    await createEntry(db, c, { status: 'not_eligible', title: 'Không hợp lệ' });
    for (let i = 0; i < 25; i++) await createEntry(db, c, { status: 'eligible', title: `Clip ${i}`, created_at: new Date(Date.now() - (i + 1) * 60_000) });
    const page1 = await request(app).get(`/c/${c.slug}/gallery`);
    expect(page1.status).toBe(200);
    expect(page1.text).toContain('Khoảnh khắc Trúc Linh');
    expect(page1.text).not.toContain('Chưa duyệt');
    expect(page1.text).not.toContain('Không hợp lệ');
    expect(page1.text).not.toContain('secret-a@example.vn');
    expect(page1.text).not.toContain('Trần Văn A');
    expect(page1.text).not.toContain('tiktok.com/player');
    const api = await request(app).get(`/api/v1/contests/${c.slug}/entries`);
    expect(api.body.items).toHaveLength(24);
    const api2 = await request(app).get(`/api/v1/contests/${c.slug}/entries?cursor=${api.body.nextCursor}`);
    expect(api2.body.items).toHaveLength(2);
    expect(api2.body.nextCursor).toBeNull();
    const codes = [...api.body.items, ...api2.body.items].map((i: { code: string }) => i.code);
    expect(new Set(codes).size).toBe(26);
    expect(Object.keys(api.body.items[0]).sort()).toEqual(['category', 'code', 'createdAt', 'displayName', 'organisation', 'province', 'title', 'videoId']);
    const search = await request(app).get(`/api/v1/contests/${c.slug}/entries?q=truc%20linh`);
    expect(search.body.items.map((i: { title: string }) => i.title)).toEqual(['Khoảnh khắc Trúc Linh']);
    expect((await request(app).get(`/api/v1/contests/${c.slug}/entries?q=ban%20a`)).body.items.map((i: { displayName: string }) => i.displayName)).toEqual(['Bạn A']);
  });

  it('most viewed first (latest snapshot), paged by keyset across equal counts, filtered by category', async () => {
    const c = await createContest(db, { code_prefix: prefix() });
    const cat = await one<{ id: number }>(db.pool, `INSERT INTO categories (contest_id, name) VALUES ($1, 'Tuyến đầu') RETURNING id`, [c.id]);
    const views = [5, 500, 50, 500, 0];
    const made = [];
    for (let i = 0; i < 30; i++) {
      const e = await createEntry(db, c, { status: 'eligible', title: `V${i}`, category_id: i % 2 === 0 ? cat.id : null });
      made.push(e);
      const v = views[i % views.length] as number;
      await execute(db.pool, `INSERT INTO metric_snapshots (contest_id, entry_id, captured_at, views, likes, comments, shares, source) VALUES ($1, $2, now() - interval '1 day', 999999, 0, 0, 0, 'manual'), ($1, $2, now(), $3, 0, 0, 0, 'manual')`, [c.id, e.id, v]);
    }
    const p1 = await request(app).get(`/api/v1/contests/${c.slug}/entries?sort=views`);
    const p2 = await request(app).get(`/api/v1/contests/${c.slug}/entries?sort=views&cursor=${p1.body.nextCursor}`);
    const titles = [...p1.body.items, ...p2.body.items].map((i: { title: string }) => i.title);
    expect(titles).toHaveLength(30);
    expect(new Set(titles).size).toBe(30);
    const expected = made
      .map((e, i) => ({ t: `V${i}`, v: views[i % views.length] as number, id: e.id }))
      .sort((a, b) => b.v - a.v || b.id - a.id)
      .map((x) => x.t);
    expect(titles).toEqual(expected);
    const cats = await request(app).get(`/api/v1/contests/${c.slug}/entries?sort=views&category=${cat.id}`);
    expect(cats.body.items).toHaveLength(15);
    expect((await request(app).get(`/c/${c.slug}/gallery?sort=views`)).text).toContain('Nhiều lượt xem nhất');
  });

  it('organisers see personal data with filters; judges do not get in', async () => {
    const c = await createContest(db, { code_prefix: prefix() });
    await createEntry(db, c, { status: 'eligible', full_name: 'Lê Thị Hoa', email: 'hoa@example.vn' });
    await createEntry(db, c, { status: 'received', link_status: 'to_verify', video_id: null, full_name: 'Phạm Văn Bình' });
    const { agent } = await agentAs(app, db, 'organiser');
    const all = await agent.get(`/organiser/contests/${c.slug}/entries`);
    expect(all.status).toBe(200);
    expect(all.text).toContain('hoa@example.vn');
    expect(all.text).toContain('Phạm Văn Bình');
    const toVerify = await agent.get(`/organiser/contests/${c.slug}/entries?link=to_verify`);
    expect(toVerify.text).toContain('Phạm Văn Bình');
    expect(toVerify.text).not.toContain('Lê Thị Hoa');
    const search = await agent.get(`/organiser/contests/${c.slug}/entries?q=le%20thi%20hoa`);
    expect(search.text).toContain('Lê Thị Hoa');
    expect(search.text).not.toContain('Phạm Văn Bình');
    const { agent: judge } = await agentAs(app, db, 'judge');
    expect((await judge.get(`/organiser/contests/${c.slug}/entries`)).status).toBe(403);
  });
});
