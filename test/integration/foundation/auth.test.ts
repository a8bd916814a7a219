import request from 'supertest';
import type { Express } from 'express';
import { makeApp, agentAs, csrfFrom, login, postForm } from '../../helpers/app';
import { createStaff, TEST_PASSWORD } from '../../helpers/factories';
import { resetDb, testConfig, testDb } from '../../helpers/db';

const db = testDb();
let app: Express;

beforeAll(async () => {
  await resetDb(db.pool);
  app = makeApp(db, testConfig());
});
afterAll(() => db.close());

function sidOf(res: request.Response): string | undefined {
  const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const c = cookies.find((x) => x.startsWith('clipjury.sid='));
  return c ? decodeURIComponent(c.split(';')[0]!.slice('clipjury.sid='.length)) : undefined;
}
const sessionIdOf = (signed: string) => signed.slice(2, signed.lastIndexOf('.'));

describe('health and pages', () => {
  test('GET /healthz answers ok with the database', async () => {
    const res = await request(app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', db: 'ok' });
  });

  test('the home page answers in Vietnamese by default and English by the switch', async () => {
    const vi = await request(app).get('/');
    expect(vi.status).toBe(200);
    expect(vi.text).toContain('<html lang="vi">');
    expect(vi.text).toContain('Các cuộc thi');
    const agent = request.agent(app);
    const sw = await agent.get('/lang/en?next=/');
    expect(sw.status).toBe(303);
    expect(sw.headers.location).toBe('/');
    const en = await agent.get('/');
    expect(en.text).toContain('<html lang="en">');
    expect(en.text).toContain('No contest has been published yet.');
  });

  test('the language switch never redirects to another site', async () => {
    const res = await request(app).get('/lang/en?next=//evil.example/x');
    expect(res.headers.location).toBe('/staff');
  });

  test('an unknown page is a 404 page, and an unknown API path is JSON', async () => {
    const html = await request(app).get('/no/such/page');
    expect(html.status).toBe(404);
    expect(html.text).toContain('Không tìm thấy trang bạn cần.');
    const api = await request(app).get('/api/v1/nothing');
    expect(api.status).toBe(404);
    expect(api.body).toEqual({ error: 'not_found' });
  });

  test('security headers are set', async () => {
    const res = await request(app).get('/login');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['content-security-policy']).toContain('frame-src https://www.tiktok.com');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
    const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('clipjury.sid='));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
  });
});

describe('sign-in and sessions', () => {
  test('login regenerates the session id and logout destroys the session server-side', async () => {
    const user = await createStaff(db, { role: 'organiser' });
    const agent = request.agent(app);
    const page = await agent.get('/login');
    const before = sidOf(page)!;
    expect(before).toBeDefined();
    const res = await agent.post('/login').type('form').send({ _csrf: csrfFrom(page.text), email: user.email, password: TEST_PASSWORD });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/staff');
    const after = sidOf(res)!;
    expect(after).toBeDefined();
    expect(sessionIdOf(after)).not.toBe(sessionIdOf(before));
    const old = await db.pool.query('SELECT 1 FROM session WHERE sid = $1', [sessionIdOf(before)]);
    expect(old.rowCount).toBe(0);

    const staff = await agent.get('/staff');
    expect(staff.status).toBe(200);
    const token = csrfFrom(staff.text);
    const out = await agent.post('/logout').type('form').send({ _csrf: token });
    expect(out.status).toBe(303);
    const gone = await db.pool.query('SELECT 1 FROM session WHERE sid = $1', [sessionIdOf(after)]);
    expect(gone.rowCount).toBe(0);
    // The old cookie, replayed, is worth nothing.
    const replay = await request(app).get('/staff').set('Cookie', `clipjury.sid=${encodeURIComponent(after)}`);
    expect(replay.status).toBe(303);
    expect(replay.headers.location).toBe('/login');
  });

  test('a session older than the absolute limit ends, however active it was', async () => {
    const { agent } = await agentAs(app, db, 'judge');
    expect((await agent.get('/staff')).status).toBe(200);
    // Age every session by 13 hours (the limit is 12).
    await db.pool.query(`UPDATE session SET sess = jsonb_set(sess::jsonb, '{createdAt}', to_jsonb((sess->>'createdAt')::bigint - 13 * 3600000))::json WHERE sess->>'createdAt' IS NOT NULL`);
    const res = await agent.get('/staff');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login');
  });

  test('a staff page sends an anonymous visitor to login, then back to it', async () => {
    const user = await createStaff(db, { role: 'admin' });
    const agent = request.agent(app);
    const first = await agent.get('/admin/accounts');
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/login');
    const res = await login(agent, user.email, TEST_PASSWORD);
    expect(res.headers.location).toBe('/admin/accounts');
  });

  test('a POST without the CSRF token is refused with 403', async () => {
    const { agent } = await agentAs(app, db, 'admin');
    const res = await agent.post('/admin/accounts').type('form').send({ name: 'X', email: 'x@example.test', role: 'judge', password: 'abcdefgh1' });
    expect(res.status).toBe(403);
    const count = await db.pool.query(`SELECT count(*)::int AS n FROM users WHERE email = 'x@example.test'`);
    expect(count.rows[0].n).toBe(0);
  });

  test('a judge gets 403 on an admin page, an organiser too', async () => {
    for (const role of ['judge', 'organiser'] as const) {
      const { agent } = await agentAs(app, db, role);
      const res = await agent.get('/admin/accounts');
      expect(res.status).toBe(403);
      expect(res.text).toContain('Bạn không có quyền xem trang này.');
    }
  });

  test('a wrong password and an unknown email get the same answer', async () => {
    const user = await createStaff(db, { role: 'judge' });
    const a = request.agent(app);
    const wrongPw = await postForm(a, '/login', { email: user.email, password: 'wrong password!' });
    const b = request.agent(app);
    const noUser = await postForm(b, '/login', { email: 'nobody@example.test', password: 'wrong password!' });
    expect(wrongPw.status).toBe(401);
    expect(noUser.status).toBe(401);
    const strip = (s: string) => s.replace(/name="_csrf" value="[^"]+"/g, '').replace(/value="[^"]*@example\.test"/g, '');
    expect(strip(wrongPw.text)).toBe(strip(noUser.text));
    expect(wrongPw.text).toContain('Email hoặc mật khẩu không đúng.');
  });

  test('repeated failures are throttled per account, and a second instance sees the same counter', async () => {
    const user = await createStaff(db, { role: 'judge' });
    const app2 = makeApp(db, testConfig());
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const target = i % 2 === 0 ? app : app2;
      const agent = request.agent(target);
      const res = await postForm(agent, '/login', { email: user.email, password: `nope-nope-${i}` });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    // Even the right password waits now.
    const agent = request.agent(app2);
    const res = await postForm(agent, '/login', { email: user.email, password: TEST_PASSWORD });
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toMatch(/^\d+$/);
    expect(res.text).toContain('Đăng nhập sai quá nhiều lần.');
  });
});

describe('staff accounts', () => {
  test('an admin creates an account with an argon2id hash; a bad form keeps what was typed', async () => {
    const { agent } = await agentAs(app, db, 'admin');
    const page = await agent.get('/admin/accounts');
    const bad = await agent.post('/admin/accounts').type('form').send({ _csrf: csrfFrom(page.text), name: 'Nguyễn Thị Trúc Linh', email: 'not-an-email', role: 'judge', password: 'short' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('value="Nguyễn Thị Trúc Linh"');
    expect(bad.text).toContain('Email không hợp lệ.');
    expect(bad.text).toContain('Mật khẩu cần ít nhất 8 ký tự.');
    expect(bad.text).not.toContain('value="short"');

    const ok = await agent.post('/admin/accounts').type('form').send({ _csrf: csrfFrom(bad.text), name: 'Nguyễn Thị Trúc Linh', email: 'Linh@Example.TEST', role: 'judge', password: 'a'.repeat(128) });
    expect(ok.status).toBe(303);
    const row = await db.pool.query(`SELECT email, role, password_hash FROM users WHERE email = 'linh@example.test'`);
    expect(row.rows[0].email).toBe('linh@example.test');
    expect(row.rows[0].password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);

    // Emails are unique whatever their case.
    const dup = await postForm(agent, '/admin/accounts', { name: 'X', email: 'LINH@example.test', role: 'judge', password: 'abcdefgh' }, '/admin/accounts');
    expect(dup.status).toBe(422);
    expect(dup.text).toContain('Email này đã có tài khoản.');

    const tooLong = await agent.post('/admin/accounts').type('form').send({ _csrf: csrfFrom(dup.text), name: 'Y', email: 'y@example.test', role: 'judge', password: 'a'.repeat(129) });
    expect(tooLong.status).toBe(422);
    expect(tooLong.text).toContain('Mật khẩu tối đa 128 ký tự.');
  });

  test('passwords are not truncated: the 100th character counts', async () => {
    const { agent: admin } = await agentAs(app, db, 'admin');
    const base = 'x'.repeat(99);
    await postForm(admin, '/admin/accounts', { name: 'Long', email: 'long@example.test', role: 'judge', password: `${base}A` }, '/admin/accounts');
    const a = request.agent(app);
    expect((await login(a, 'long@example.test', `${base}B`)).status).toBe(401);
    const b = request.agent(app);
    expect((await login(b, 'long@example.test', `${base}A`)).status).toBe(303);
  });

  test('disabling an account ends its sessions at once', async () => {
    const { agent: admin } = await agentAs(app, db, 'admin');
    const { agent: judge, user } = await agentAs(app, db, 'judge');
    expect((await judge.get('/staff')).status).toBe(200);
    const res = await postForm(admin, `/admin/accounts/${user.id}/disable`, {}, '/admin/accounts');
    expect(res.status).toBe(303);
    const after = await judge.get('/staff');
    expect(after.status).toBe(303);
    expect(after.headers.location).toBe('/login');
    const relogin = request.agent(app);
    expect((await login(relogin, user.email, TEST_PASSWORD)).status).toBe(401);
    const audit = await db.pool.query(`SELECT action FROM audit_log WHERE subject_type = 'user' AND subject_id = $1`, [String(user.id)]);
    expect(audit.rows.map((r) => r.action)).toEqual(['user.disabled']);
  });

  test('an admin cannot disable their own account', async () => {
    const { agent, user } = await agentAs(app, db, 'admin');
    const res = await postForm(agent, `/admin/accounts/${user.id}/disable`, {}, '/admin/accounts');
    expect(res.status).toBe(403);
  });
});
