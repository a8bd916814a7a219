import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { agentAs, makeApp, tokenFor } from '../helpers/app';
import { createStaff } from '../helpers/factories';
import { resetDb, testConfig, testDb } from '../helpers/db';
import { listRoutes } from '../helpers/routes';

/**
 * The permission matrix: every route the app registers, requested as each kind of user, against
 * the answer expected here. A route added without a row makes this test fail.
 */
type Who = 'anonymous' | 'judge' | 'organiser' | 'admin';
const WHO: Who[] = ['anonymous', 'judge', 'organiser', 'admin'];
type Row = Record<Who, number>;

const all = (n: number): Row => ({ anonymous: n, judge: n, organiser: n, admin: n });
const staffOnly = (ok: number): Row => ({ anonymous: 303, judge: ok, organiser: ok, admin: ok });
const adminOnly = (ok: number, anon = 303): Row => ({ anonymous: anon, judge: 403, organiser: 403, admin: ok });

const db = testDb();
let ids: { user: number };

/** Expected answers. `:id` and friends are filled from the fixtures below. */
const EXPECT: Record<string, Row> = {
  'GET /favicon.ico': all(301),
  'GET /healthz': all(200),
  'GET /lang/:code': all(303),
  'GET /': all(200),
  'GET /login': { anonymous: 200, judge: 303, organiser: 303, admin: 303 },
  'POST /login': all(401),
  'POST /logout': all(303),
  'GET /staff': staffOnly(200),
  'GET /admin/accounts': adminOnly(200),
  // Forms: anonymous POSTs are refused (401 page for a non-GET), staff without the role get 403.
  'POST /admin/accounts': adminOnly(422, 401),
  'POST /admin/accounts/:id/disable': adminOnly(303, 401),
  'POST /admin/accounts/:id/enable': adminOnly(303, 401),
  'POST /admin/accounts/:id/role': adminOnly(303, 401),
};

function fill(path: string): string {
  return path.replace(':code', 'en').replace(':id', String(ids.user));
}

beforeAll(async () => {
  await resetDb(db.pool);
  const target = await createStaff(db, { role: 'judge' });
  ids = { user: target.id };
});
afterAll(() => db.close());

test('every registered route has a row in the matrix, and every row a route', () => {
  const app = makeApp(db, testConfig());
  const registered = listRoutes(app).map((r) => `${r.method} ${r.path}`).sort();
  expect(registered.filter((r) => !(r in EXPECT))).toEqual([]);
  expect(Object.keys(EXPECT).filter((r) => !registered.includes(r))).toEqual([]);
});

describe.each(WHO)('as %s', (who) => {
  const app = makeApp(db, testConfig());
  let agent: TestAgent;
  beforeAll(async () => {
    agent = who === 'anonymous' ? request.agent(app) : (await agentAs(app, db, who)).agent;
  });

  // Signing out ends the agent's session, so it goes last.
  const keys = Object.keys(EXPECT).sort((a, b) => Number(a === 'POST /logout') - Number(b === 'POST /logout'));
  test.each(keys)('%s', async (key) => {
    const [method, path] = key.split(' ') as [string, string];
    const url = fill(path);
    let res;
    if (method === 'GET') {
      res = await agent.get(url);
    } else {
      const token = await tokenFor(agent, who === 'anonymous' ? '/login' : '/staff');
      res = await agent.post(url).type('form').send({ _csrf: token, role: 'judge' });
    }
    expect({ key, status: res.status }).toEqual({ key, status: EXPECT[key]![who] });
  });
});
