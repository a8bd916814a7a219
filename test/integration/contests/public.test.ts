import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import { one } from '../../../src/db';
import { contestPhase } from '../../../src/contests/phase';
import { forgetContestCounters } from '../../../src/contests/service';
import { agentAs, makeApp, tokenFor } from '../../helpers/app';
import { createContest, createEntry } from '../../helpers/factories';
import { resetDb, testConfig, testDb } from '../../helpers/db';

const db = testDb();
const uploadDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipjury-contests-'));
let app: Express;
const DAY = 86400_000;
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(600, 3)]);

beforeAll(async () => {
  await resetDb(db.pool);
  app = makeApp(db, testConfig({ UPLOAD_DIR: uploadDir }));
});
afterAll(async () => {
  await db.close();
  fs.rmSync(uploadDir, { recursive: true, force: true });
});

describe('draft contests', () => {
  test('are a 404 for the public (page, rules, banner, API, home) and visible to organisers with a draft banner', async () => {
    await createContest(db, { slug: 'ban-nhap', title: 'Cuộc thi bản nháp', state: 'draft' });
    for (const url of ['/c/ban-nhap', '/c/ban-nhap/rules', '/c/ban-nhap/banner']) expect((await request(app).get(url)).status).toBe(404);
    const api = await request(app).get('/api/v1/contests/ban-nhap');
    expect(api.status).toBe(404);
    expect(api.body).toEqual({ error: 'contest_not_found' });
    expect((await request(app).get('/')).text).not.toContain('Cuộc thi bản nháp');
    expect((await request(app).get('/api/v1/contests')).body.contests.map((c: { slug: string }) => c.slug)).not.toContain('ban-nhap');

    const { agent: judge } = await agentAs(app, db, 'judge');
    expect((await judge.get('/c/ban-nhap')).status).toBe(404);
    const { agent } = await agentAs(app, db, 'organiser');
    const page = await agent.get('/c/ban-nhap');
    expect(page.status).toBe(200);
    expect(page.text).toContain('BẢN NHÁP — trang này chưa hiển thị với công chúng.');
    // The public API stays public even for an organiser.
    expect((await agent.get('/api/v1/contests/ban-nhap')).status).toBe(404);
  });
});

describe('the contest page', () => {
  test('an open contest: deadline in its time zone, countdown, submit button, prizes, counters, Open Graph', async () => {
    const closes = new Date(Date.now() + 3 * DAY);
    const c = await createContest(db, { slug: 'dang-mo', title: 'Đang mở', closes_at: closes, hashtags: ['DangMo'] });
    await one(db.pool, "INSERT INTO prize_tiers (contest_id, name, count, position) VALUES ($1, 'Giải Nhất', 1, 1) RETURNING id", [c.id]);
    await createEntry(db, c);
    await createEntry(db, c);
    await createEntry(db, c, { status: 'withdrawn' });
    const res = await request(app).get('/c/dang-mo');
    expect(res.status).toBe(200);
    expect(res.text).toContain('href="/c/dang-mo/submit"');
    expect(res.text).toContain('Gửi bài dự thi');
    expect(res.text).toContain(`data-deadline="${closes.toISOString()}"`);
    expect(res.text).toContain('Còn 2 ngày 23 giờ');
    expect(res.text).toContain('data-copy="#DangMo"');
    expect(res.text).toContain('<strong>Giải Nhất</strong> × 1');
    expect(res.text).toMatch(/<strong>2<\/strong> bài dự thi/);
    expect(res.text).toContain('<meta property="og:title" content="Đang mở">');
    expect(res.text).toMatch(/<meta property="og:url" content="http:\/\/127\.0\.0\.1:\d+\/c\/dang-mo">/);
    expect(res.text).toContain('src="/static/js/contests.js"');
  });

  test('a closed contest says when submissions closed, in the contest time zone, and offers no submit button', async () => {
    await createContest(db, { slug: 'da-dong', opens_at: new Date('2021-08-31T17:00:00Z'), closes_at: new Date('2021-09-30T16:59:00Z') });
    const res = await request(app).get('/c/da-dong');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Đã hết hạn nhận bài lúc 23:59 30/09/2021 (GMT+7).');
    expect(res.text).not.toContain('/c/da-dong/submit');
    const en = await request(app).get('/c/da-dong').set('Cookie', 'lang=en');
    expect(en.text).toContain('Submissions closed on 23:59 30/09/2021 (GMT+7).');
  });

  test('a winners link appears once the winners list is published', async () => {
    const c = await createContest(db, { slug: 'co-giai', state: 'results_published', opens_at: new Date('2021-08-31T17:00:00Z'), closes_at: new Date('2021-09-30T16:59:00Z') });
    expect((await request(app).get('/c/co-giai')).text).not.toContain('/c/co-giai/winners');
    await db.pool.query("INSERT INTO winners_lists (contest_id, state, published_at) VALUES ($1, 'published', now())", [c.id]);
    expect((await request(app).get('/c/co-giai')).text).toContain('href="/c/co-giai/winners"');
  });

  test('the rules page renders Markdown with raw HTML shown as text and unsafe links dropped', async () => {
    await createContest(db, {
      slug: 'the-le-an-toan',
      rules_md: '# Thể lệ\n\n<script>alert(1)</script>\n\n[bấm](javascript:alert(1)) và [TikTok](https://www.tiktok.com/@congdoanvn)',
    });
    const res = await request(app).get('/c/the-le-an-toan/rules');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<h1>Thể lệ</h1>');
    expect(res.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(res.text).not.toContain('<script>alert(1)');
    expect(res.text).not.toContain('href="javascript:');
    expect(res.text).toContain('<a href="https://www.tiktok.com/@congdoanvn" rel="noopener noreferrer nofollow ugc" target="_blank">TikTok</a>');
  });
});

describe('the home page and the JSON API', () => {
  test('list the open contests first, with hashtag and deadline; counters count live entries only', async () => {
    await resetDb(db.pool);
    const now = Date.now();
    await createContest(db, { slug: 'cu', title: 'Cũ', opens_at: new Date(now - 40 * DAY), closes_at: new Date(now - 10 * DAY) });
    const open = await createContest(db, { slug: 'mo', title: 'Mở', hashtags: ['TetSumVay'], closes_at: new Date(now + 5 * DAY) });
    await createContest(db, { slug: 'sap-mo', title: 'Sắp mở', opens_at: new Date(now + 5 * DAY), closes_at: new Date(now + 30 * DAY) });
    await createContest(db, { slug: 'nhap', state: 'draft' });
    await createEntry(db, open);
    const home = await request(app).get('/');
    const order = ['/c/mo"', '/c/sap-mo"', '/c/cu"'].map((s) => home.text.indexOf(`href="${s}`));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(home.text).toContain('#TetSumVay');
    expect(home.text).toContain('Đang nhận bài');

    const api = await request(app).get('/api/v1/contests');
    expect(api.status).toBe(200);
    expect(api.body.total).toBe(3);
    expect(api.body.contests.map((c: { slug: string; phase: string }) => [c.slug, c.phase])).toEqual([['mo', 'open'], ['sap-mo', 'scheduled'], ['cu', 'closed']]);
    expect(api.body.contests[0]).toEqual({
      slug: 'mo', title: 'Mở', summary: 'Tóm tắt cuộc thi', hashtags: ['TetSumVay'], timeZone: 'Asia/Ho_Chi_Minh',
      opensAt: expect.any(String), closesAt: new Date(now + 5 * DAY).toISOString(), phase: 'open', url: '/c/mo', bannerUrl: null, counters: { entries: 1 },
    });
    const one = await request(app).get('/api/v1/contests/mo');
    expect(one.body).toMatchObject({ slug: 'mo', submitUrl: '/c/mo/submit', winnersUrl: null, categories: [], prizes: [], counters: { entries: 1, engagement: null } });
    expect(Object.keys(one.body)).not.toContain('code_prefix');
    expect(JSON.stringify(one.body)).not.toContain('entrant_fields');
  });
});

describe('the banner', () => {
  test('a PNG is stored through the upload store and served by its route; a renamed HTML file is refused', async () => {
    const { agent } = await agentAs(app, db, 'organiser');
    const c = await createContest(db, { slug: 'co-banner' });
    const edit = `/organiser/contests/${c.id}/edit`;
    const token = await tokenFor(agent, edit);
    const res = await agent.post(`/organiser/contests/${c.id}/banner`).field('_csrf', token).attach('banner', PNG, { filename: 'ảnh bìa.png', contentType: 'image/png' });
    expect(res.status).toBe(303);
    const row = await one<{ banner_file_id: number; purpose: string; size_bytes: number; original_name: string }>(
      db.pool,
      'SELECT c.banner_file_id, f.purpose, f.size_bytes, f.original_name FROM contests c JOIN stored_files f ON f.id = c.banner_file_id WHERE c.id = $1',
      [c.id],
    );
    expect(row).toMatchObject({ purpose: 'banner', size_bytes: PNG.length });
    const img = await request(app).get('/c/co-banner/banner').buffer(true);
    expect(img.status).toBe(200);
    expect(img.headers['content-type']).toBe('image/png');
    expect(img.headers['x-content-type-options']).toBe('nosniff');
    expect((await request(app).get('/c/co-banner')).text).toContain('<meta property="og:image" content="http://127.0.0.1');

    const html = await agent.post(`/organiser/contests/${c.id}/banner`).field('_csrf', await tokenFor(agent, edit)).attach('banner', Buffer.from('<!doctype html><script>alert(1)</script>'), { filename: 'x.png', contentType: 'image/png' });
    expect(html.status).toBe(415);
    expect(html.text).toContain('Banner phải là ảnh PNG, JPEG hoặc WebP.');
    expect(html.text).toContain('name="title"');
    const tooBig = await agent.post(`/organiser/contests/${c.id}/banner`).field('_csrf', await tokenFor(agent, edit)).attach('banner', Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024)]), { filename: 'big.png', contentType: 'image/png' });
    expect(tooBig.status).toBe(413);
    expect(tooBig.text).toContain('Ảnh banner quá lớn (tối đa 5 MB).');
    expect((await one<{ banner_file_id: number }>(db.pool, 'SELECT banner_file_id FROM contests WHERE id = $1', [c.id])).banner_file_id).toBe(row.banner_file_id);

    // Without the CSRF token the multipart form is refused.
    const noToken = await agent.post(`/organiser/contests/${c.id}/banner`).attach('banner', PNG, { filename: 'a.png', contentType: 'image/png' });
    expect(noToken.status).toBe(403);
    // A judge cannot upload.
    const { agent: judge } = await agentAs(app, db, 'judge');
    const j = await judge.post(`/organiser/contests/${c.id}/banner`).field('_csrf', await tokenFor(judge, '/staff')).attach('banner', PNG, { filename: 'a.png', contentType: 'image/png' });
    expect(j.status).toBe(403);
  });
});

describe('counters and boundaries', () => {
  test('engagement totals add each live entry’s latest snapshot only, once metrics exist', async () => {
    const c = await createContest(db, { slug: 'tuong-tac', code_prefix: 'TT' });
    expect((await request(app).get('/api/v1/contests/tuong-tac')).body.counters).toEqual({ entries: 0, engagement: null });
    const a = await createEntry(db, c);
    const b = await createEntry(db, c);
    const gone = await createEntry(db, c, { status: 'withdrawn' });
    const snap = (entryId: number, at: string, views: number) =>
      db.pool.query("INSERT INTO metric_snapshots (contest_id, entry_id, captured_at, views, likes, comments, shares, source) VALUES ($1, $2, $3, $4, $5, 3, 2, 'manual')", [c.id, entryId, at, views, views / 10]);
    await snap(a.id, '2021-09-10T00:00:00Z', 1000);
    await snap(a.id, '2021-09-20T00:00:00Z', 253_000_000); // the latest counts, not the sum
    await snap(b.id, '2021-09-20T00:00:00Z', 5000);
    await snap(gone.id, '2021-09-20T00:00:00Z', 999_990);
    // The public counters are kept for a while: the page still shows the numbers read before.
    expect((await request(app).get('/api/v1/contests/tuong-tac')).body.counters).toEqual({ entries: 0, engagement: null });
    forgetContestCounters(c.id);
    const api = await request(app).get('/api/v1/contests/tuong-tac');
    expect(api.body.counters).toEqual({ entries: 2, engagement: { views: 253_005_000, likes: 25_300_500, comments: 6, shares: 4 } });
    const page = await request(app).get('/c/tuong-tac');
    expect(page.text).toContain('<strong>253 triệu</strong> lượt xem');
  });

  test('a 23:59 Asia/Ho_Chi_Minh deadline: open at 16:59:00 UTC, closed one second later; grace extends it', async () => {
    const c = await createContest(db, { slug: 'bien', opens_at: new Date('2021-08-31T17:00:00Z'), closes_at: new Date('2021-09-30T16:59:00Z') });
    expect(contestPhase(c, new Date('2021-08-31T16:59:59Z'))).toBe('scheduled');
    expect(contestPhase(c, new Date('2021-08-31T17:00:00Z'))).toBe('open');
    expect(contestPhase(c, new Date('2021-09-30T16:59:00Z'))).toBe('open');
    expect(contestPhase(c, new Date('2021-09-30T16:59:01Z'))).toBe('closed');
    expect(contestPhase({ ...c, grace_minutes: 15 }, new Date('2021-09-30T17:14:00Z'))).toBe('open');
    expect(contestPhase({ ...c, grace_minutes: 15 }, new Date('2021-09-30T17:14:01Z'))).toBe('closed');
  });

  test('the home page pages through many contests', async () => {
    await resetDb(db.pool);
    for (let i = 1; i <= 13; i++) await createContest(db, { slug: `trang-${i}`, title: `Trang ${i}`, closes_at: new Date(Date.now() + i * DAY) });
    const first = await request(app).get('/');
    expect(first.text).toContain('href="/c/trang-1"');
    expect(first.text).not.toContain('href="/c/trang-13"');
    expect(first.text).toContain('Trang 1/2');
    const second = await request(app).get('/?page=2');
    expect(second.text).toContain('href="/c/trang-13"');
    expect(second.text).not.toContain('href="/c/trang-1"');
    expect((await request(app).get('/?page=abc')).status).toBe(200);
  });
});
