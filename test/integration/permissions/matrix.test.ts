import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { agentAs, makeApp, tokenFor } from '../../helpers/app';
import { resetDb, testConfig, testDb } from '../../helpers/db';
import type { MatrixPart, Who } from '../../helpers/permissions';
import { WHO } from '../../helpers/permissions';
import { listRoutes } from '../../helpers/routes';

/**
 * The permission matrix: every route the app registers, requested as each kind of user, against
 * the answer expected in the parts/ folder (one file per feature). A route added without a row
 * makes this test fail.
 */
const PARTS: { name: string; part: MatrixPart }[] = fs
  .readdirSync(path.join(__dirname, 'parts'))
  .filter((f) => /\.ts$/.test(f))
  .sort()
  // The parts are found on disk so that a feature adds its file without editing this one.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  .map((f) => ({ name: f, part: (require(path.join(__dirname, 'parts', f)) as { part: MatrixPart }).part }));

interface Case {
  key: string;
  part: MatrixPart;
  params: Record<string, string | number>;
}
const db = testDb();
const CASES: Case[] = PARTS.flatMap(({ part }) => Object.keys(part.rows).map((key) => ({ key, part, params: {} })));

function fill(p: string, params: Record<string, string | number>): string {
  return p.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    if (!(name in params)) throw new Error(`no fixture for :${name} in ${p}`);
    return encodeURIComponent(String(params[name]));
  });
}

beforeAll(async () => {
  await resetDb(db.pool);
  for (const { part } of PARTS) {
    const params = part.fixtures ? await part.fixtures(db) : {};
    for (const c of CASES) if (c.part === part) c.params = params;
  }
});
afterAll(() => db.close());

test('every registered route has a row in the matrix, and every row a route', () => {
  const app = makeApp(db, testConfig());
  const registered = listRoutes(app).map((r) => `${r.method} ${r.path}`).sort();
  const keys = CASES.map((c) => c.key);
  expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
  expect(registered.filter((r) => !keys.includes(r))).toEqual([]);
  expect(keys.filter((r) => !registered.includes(r))).toEqual([]);
});

describe.each(WHO)('as %s', (who: Who) => {
  const app = makeApp(db, testConfig());
  let agent: TestAgent;
  beforeAll(async () => {
    agent = who === 'anonymous' ? request.agent(app) : (await agentAs(app, db, who)).agent;
  });

  // Signing out ends the agent's session, so it goes last.
  const ordered = [...CASES].sort((a, b) => Number(a.key === 'POST /logout') - Number(b.key === 'POST /logout'));
  test.each(ordered.map((c) => [c.key, c] as const))('%s', async (key, c) => {
    const [method, p] = key.split(' ') as [string, string];
    const url = fill(p, c.params);
    let res;
    if (method === 'GET') {
      res = await agent.get(url);
    } else {
      const token = await tokenFor(agent, who === 'anonymous' ? '/login' : '/staff');
      res = await agent[method.toLowerCase() as 'post'](url).type('form').send({ _csrf: token, ...(c.part.body ?? {}) });
    }
    expect({ key, status: res.status }).toEqual({ key, status: c.part.rows[key]![who] });
  });
});
