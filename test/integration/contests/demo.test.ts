import type { Express } from 'express';
import request from 'supertest';
import { one, rows } from '../../../src/db';
import { seedDemo } from '../../../src/contests/demo';
import { contestPhase } from '../../../src/contests/phase';
import { login, makeApp } from '../../helpers/app';
import { resetDb, testConfig, testDb } from '../../helpers/db';

const db = testDb();
let app: Express;

beforeAll(async () => {
  await resetDb(db.pool);
  app = makeApp(db, testConfig());
});
afterAll(() => db.close());

test('seed:demo twice leaves one open contest with its set-up and entries, and the printed logins work', async () => {
  const first = await seedDemo(db.pool);
  expect(first).toMatchObject({ created: true, entriesAdded: 12, contests: 1 });
  const second = await seedDemo(db.pool);
  expect(second).toMatchObject({ created: false, entriesAdded: 0, contests: 1 });

  const c = second.contest;
  expect(c).toMatchObject({ slug: 'thoi-khac-kho-quen', title: 'Thời khắc khó quên', hashtags: ['ThoiKhacKhoQuen'], code_prefix: 'TKKQ', state: 'published', time_zone: 'Asia/Ho_Chi_Minh' });
  expect(contestPhase(c)).toBe('open');
  expect((await one<{ n: number }>(db.pool, 'SELECT count(*)::int AS n FROM contests')).n).toBe(1);
  expect((await rows(db.pool, 'SELECT name FROM categories WHERE contest_id = $1 ORDER BY position', [c.id])).map((r) => r.name)).toEqual(['Lực lượng tuyến đầu', 'Cộng đồng']);
  expect(await rows(db.pool, 'SELECT name, count, decided_by FROM prize_tiers WHERE contest_id = $1 ORDER BY position', [c.id])).toEqual([
    { name: 'Giải Nhất', count: 1, decided_by: 'judges' },
    { name: 'Giải Nhì', count: 2, decided_by: 'judges' },
    { name: 'Giải Ba', count: 3, decided_by: 'judges' },
    { name: 'Giải Khuyến khích', count: 10, decided_by: 'judges' },
    { name: 'Giải bình chọn', count: 1, decided_by: 'engagement' },
  ]);
  const entries = await rows<{ code: string; video_id: string; posted_at: Date }>(db.pool, 'SELECT code, video_id, posted_at FROM entries WHERE contest_id = $1 ORDER BY seq', [c.id]);
  expect(entries).toHaveLength(12);
  expect(entries[0]!.code).toBe('TKKQ-00001');
  // Each clip id carries its posting time in its top 32 bits, inside the window.
  for (const e of entries) {
    expect(Number(BigInt(e.video_id) >> 32n)).toBe(Math.floor(e.posted_at.getTime() / 1000));
    expect(e.posted_at >= (c.opens_at as Date)).toBe(true);
  }
  expect((await one<{ n: number }>(db.pool, "SELECT count(*)::int AS n FROM users WHERE email LIKE '%@demo.clipjury.vn'")).n).toBe(4);

  // The second run's logins work; the first run's passwords were replaced.
  const organiser = second.accounts.find((a) => a.role === 'organiser')!;
  const judge = second.accounts.find((a) => a.role === 'judge')!;
  expect(second.accounts.filter((a) => a.role === 'judge')).toHaveLength(3);
  const oa = request.agent(app);
  expect((await login(oa, organiser.email, organiser.password)).status).toBe(303);
  expect((await oa.get(`/organiser/contests/${c.id}/edit`)).status).toBe(200);
  const ja = request.agent(app);
  expect((await login(ja, judge.email, judge.password)).status).toBe(303);
  expect((await ja.get('/organiser/contests')).status).toBe(403);
  const old = first.accounts.find((a) => a.email === judge.email)!;
  expect((await login(request.agent(app), old.email, old.password)).status).toBe(401);

  const page = await request(app).get('/c/thoi-khac-kho-quen');
  expect(page.status).toBe(200);
  expect(page.text).toContain('href="/c/thoi-khac-kho-quen/submit"');
});

test('--historical puts the real 1–30 September 2021 window back (23:59 in Hanoi is 16:59 UTC)', async () => {
  const r = await seedDemo(db.pool, { historical: true });
  expect(r.contests).toBe(1);
  expect(r.contest.opens_at?.toISOString()).toBe('2021-08-31T17:00:00.000Z');
  expect(r.contest.closes_at?.toISOString()).toBe('2021-09-30T16:59:00.000Z');
  expect(r.contest.ceremony_at?.toISOString()).toBe('2021-11-19T02:00:00.000Z');
  expect(contestPhase(r.contest)).toBe('closed');
  const audit = await one<{ n: number }>(db.pool, "SELECT count(*)::int AS n FROM audit_log WHERE contest_id = $1 AND action = 'contest.window_changed'", [r.contest.id]);
  expect(audit.n).toBeGreaterThanOrEqual(1);
});
