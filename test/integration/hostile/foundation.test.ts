import type TestAgent from 'supertest/lib/agent';
import request from 'supertest';
import { agentAs, makeApp, tokenFor } from '../../helpers/app';
import { resetDb, testConfig, testDb } from '../../helpers/db';
import { REFUSED, STORED_VERBATIM, escapedHtml, expectNotPolluted, overLong, withPrototypeKeys } from '../../helpers/hostile';
import { createStaff } from '../../helpers/factories';

/** Hostile input against the staff forms: sign-in, account creation and role changes. Each describe is named after its route. */
const db = testDb();
const app = makeApp(db, testConfig());
let admin: TestAgent;

beforeAll(async () => {
  await resetDb(db.pool);
  admin = (await agentAs(app, db, 'admin')).agent;
});
afterAll(() => db.close());

const userCount = async () => (await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM users')).rows[0]!.n;

describe('POST /login', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['SQL in the email', { email: "' OR '1'='1' --", password: 'x' }],
    ['NUL in the email', { email: REFUSED.nul, password: 'x' }],
    ['an array for the email', { email: ['a@example.test', 'b@example.test'], password: 'x' }],
    ['an object for the password', { email: 'a@example.test', password: { $gt: '' } }],
    ['a 100,000-character password', { email: 'a@example.test', password: overLong(100_000) }],
  ];
  test.each(cases)('%s is refused with a 4xx page, nothing else', async (_, body) => {
    const agent = request.agent(app);
    const token = await tokenFor(agent, '/login');
    const res = await agent.post('/login').type('json').send({ _csrf: token, ...body });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.text).not.toMatch(/at .*\.(ts|js):\d+/); // no stack trace
  });
});

describe('POST /admin/accounts', () => {
  test.each(STORED_VERBATIM.map((s) => [s]))('the name %j is stored verbatim and shown escaped', async (name) => {
    const email = `u${Math.random().toString(36).slice(2)}@example.test`;
    const token = await tokenFor(admin, '/admin/accounts');
    const res = await admin.post('/admin/accounts').type('form').send({ _csrf: token, email, name, role: 'judge', password: 'một mật khẩu dài' });
    expect(res.status).toBe(303);
    const { rows } = await db.pool.query<{ name: string }>('SELECT name FROM users WHERE email = $1', [email]);
    expect(rows).toEqual([{ name: name.trim().normalize('NFC') }]);
    const page = await admin.get('/admin/accounts');
    expect(page.text).toContain(escapedHtml(name.trim().normalize('NFC')));
    if (name.includes('<')) expect(page.text).not.toContain(name);
  });

  test.each(Object.entries(REFUSED))('a name with %s is refused with 422, the form kept, nothing stored', async (_, name) => {
    const before = await userCount();
    const token = await tokenFor(admin, '/admin/accounts');
    const res = await admin.post('/admin/accounts').type('form').send({ _csrf: token, email: 'ok-name@example.test', name, role: 'judge', password: 'một mật khẩu dài' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Có ký tự điều khiển hoặc ký tự đảo chiều văn bản không được phép.');
    expect(res.text).toContain('value="ok-name@example.test"');
    expect(await userCount()).toBe(before);
  });

  test('an over-long name, an array role and a prototype key: 422 with a message per field', async () => {
    const before = await userCount();
    const token = await tokenFor(admin, '/admin/accounts');
    const res = await admin
      .post('/admin/accounts')
      .type('json')
      .send(`{"_csrf":"${token}","__proto__":{"role":"admin"},"email":"p@example.test","name":"${overLong(121)}","role":["admin","judge"],"password":"một mật khẩu dài"}`);
    expect(res.status).toBe(422);
    expect(res.text).toContain('Giá trị không hợp lệ.');
    expect(await userCount()).toBe(before);
    expect(({} as Record<string, unknown>).role).toBeUndefined();
  });
});

describe('POST /admin/accounts/:id/role', () => {
  test.each([
    ['SQL', "admin' --"],
    ['two roles', ['admin', 'judge']],
    ['an object', { $ne: null }],
    ['a NUL', `judge${REFUSED.nul}`],
    ['an RTL override', `admin${REFUSED.rtlOverride}`],
    ['an over-long role', overLong(10_000)],
  ] as [string, unknown][])('%s as the role is refused (404, the route\'s answer to a bad role), the role unchanged', async (_, role) => {
    const judge = await createStaff(db, { role: 'judge' });
    const token = await tokenFor(admin, '/admin/accounts');
    const res = await admin.post(`/admin/accounts/${judge.id}/role`).type('json').send({ _csrf: token, role });
    expect(res.status).toBe(404);
    expect((await db.pool.query<{ role: string }>('SELECT role FROM users WHERE id = $1', [judge.id])).rows).toEqual([{ role: 'judge' }]);
  });

  test.each([['99999999999999999999'], ['1 OR 1=1'], ['-1']])('the account %s in the URL is a 404, never a 500', async (id) => {
    const token = await tokenFor(admin, '/admin/accounts');
    expect((await admin.post(`/admin/accounts/${encodeURIComponent(id)}/role`).type('form').send({ _csrf: token, role: 'organiser' })).status).toBe(404);
  });

  test('prototype keys do not pollute and grant nothing', async () => {
    const judge = await createStaff(db, { role: 'judge' });
    const token = await tokenFor(admin, '/admin/accounts');
    const res = await admin.post(`/admin/accounts/${judge.id}/role`).set('x-csrf-token', token).type('json').send(withPrototypeKeys({}).replace('"polluted":true', '"role":"admin","polluted":true'));
    expect(res.status).toBe(404);
    expect((await db.pool.query<{ role: string }>('SELECT role FROM users WHERE id = $1', [judge.id])).rows).toEqual([{ role: 'judge' }]);
    expectNotPolluted();
  });
});
