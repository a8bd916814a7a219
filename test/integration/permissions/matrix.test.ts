import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { agentAs, makeApp, tokenFor } from '../../helpers/app';
import { agentAsEntrant, agentAsUser } from '../../helpers/actors';
import { resetDb, testConfig, testDb } from '../../helpers/db';
import { createJudgingRound } from '../../helpers/factories/judging';
import type { MatrixPart, Params, PartFixtures, Who } from '../../helpers/permissions';
import { isPartFixtures } from '../../helpers/permissions';
import { listRoutes } from '../../helpers/routes';
import { withTransaction } from '../../../src/db';
import { openRound } from '../../../src/judging/service';

/**
 * The permission matrix: every route the app registers, requested as each of the six kinds of
 * user, against the answer expected in the parts/ folder (one file per feature). A route added
 * without a row makes this test fail.
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
}
const db = testDb();
const CASES: Case[] = PARTS.flatMap(({ part }) => Object.keys(part.rows).map((key) => ({ key, part })));
const FIXTURES = new Map<MatrixPart, PartFixtures>();
/** The judge of another round: on the panel of an open round of a contest no part uses. */
let otherJudgeId = 0;

function fill(p: string, params: Params): string {
  return p.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    if (!(name in params)) throw new Error(`no fixture for :${name} in ${p}`);
    return encodeURIComponent(String(params[name]));
  });
}

beforeAll(async () => {
  await resetDb(db.pool);
  for (const { part } of PARTS) {
    const f = part.fixtures ? await part.fixtures(db) : {};
    FIXTURES.set(part, isPartFixtures(f) ? f : { params: f });
  }
  const other = await createJudgingRound(db, { judges: 1, entries: 1 });
  await withTransaction(db.pool, (tx) => openRound(tx, other.roundId, { id: null, label: 'matrix' }));
  otherJudgeId = other.judges[0]!.id;
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

/**
 * Rows that change what later rows see run last in each kind of user's pass: signing out ends the
 * session, withdrawing hides the entry, declaring a conflict takes the entry off the judge's queue.
 */
const LAST = (key: string) => (key === 'POST /logout' ? 2 : Number(/\/(withdraw|conflict)$/.test(key)));
const ORDERED = [...CASES].sort((a, b) => LAST(a.key) - LAST(b.key));
/**
 * The kinds of user in the order their passes run: the entrant goes last because withdrawing
 * really withdraws the entries part's entry; the round's judge before the organiser, whose
 * passes close the round and move assignments.
 */
const RUN_ORDER: Who[] = ['anonymous', 'judge', 'roundJudge', 'organiser', 'admin', 'entrant'];

describe.each(RUN_ORDER)('as %s', (who: Who) => {
  const app = makeApp(db, testConfig());
  const agents = new Map<MatrixPart, TestAgent>();
  beforeAll(async () => {
    let shared: TestAgent | undefined;
    if (who === 'anonymous') shared = request.agent(app);
    else if (who === 'judge') shared = await agentAsUser(app, db, otherJudgeId);
    else if (who === 'organiser' || who === 'admin') shared = (await agentAs(app, db, who)).agent;
    for (const { part } of PARTS) {
      const f = FIXTURES.get(part)!;
      let agent = shared;
      // A part without its own entrant: a fresh browser with no link opened (its answers are anonymous's).
      if (who === 'entrant') agent = f.entrant ? await agentAsEntrant(app, db, f.entrant) : request.agent(app);
      // A part without its own judge: its round's judge is a judge of no round of it, signed in afresh.
      if (who === 'roundJudge') agent = await agentAsUser(app, db, f.judge ?? otherJudgeId);
      agents.set(part, agent!);
    }
  });

  test.each(ORDERED.map((c) => [c.key, c] as const))('%s', async (key, c) => {
    const [method, p] = key.split(' ') as [string, string];
    const url = fill(p, FIXTURES.get(c.part)!.params);
    const agent = agents.get(c.part)!;
    let res;
    if (method === 'GET') {
      res = await agent.get(url);
    } else {
      const staff = who !== 'anonymous' && who !== 'entrant';
      const token = await tokenFor(agent, staff ? '/staff' : '/login');
      res = await agent[method.toLowerCase() as 'post'](url).type('form').send({ _csrf: token, ...(c.part.body ?? {}) });
    }
    expect({ key, status: res.status }).toEqual({ key, status: c.part.rows[key]![who] });
  });
});
