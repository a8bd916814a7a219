import type { Express } from 'express';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import type { Db } from '../../src/db';
import { one } from '../../src/db';
import { accessTokenFor } from '../../src/entries/service';
import { login, TEST_SESSION_SECRET } from './app';
import { TEST_PASSWORD } from './factories';
import type { JudgeRef } from './permissions';

/** The private link an entrant gets in the receipt mail for one entry. */
export async function entrantLink(db: Db, entryId: number): Promise<string> {
  const e = await one<{ slug: string; code: string; access_salt: string }>(
    db.pool,
    'SELECT c.slug, e.code, e.access_salt FROM entries e JOIN contests c ON c.id = e.contest_id WHERE e.id = $1',
    [entryId],
  );
  return `/c/${e.slug}/my/${e.code}?t=${accessTokenFor(TEST_SESSION_SECRET, entryId, e.access_salt)}`;
}

/** A browser that opened an entry's private link: the session now may see that entry. */
export async function agentAsEntrant(app: Express, db: Db, entryId: number): Promise<TestAgent> {
  const agent = request.agent(app);
  const res = await agent.get(await entrantLink(db, entryId));
  if (res.status !== 200) throw new Error(`the private link of entry ${entryId} answered ${res.status}`);
  return agent;
}

/** A signed-in agent for an existing staff member (by id, with TEST_PASSWORD, or by credentials). */
export async function agentAsUser(app: Express, db: Db, ref: JudgeRef): Promise<TestAgent> {
  const creds = typeof ref === 'number'
    ? { email: (await one<{ email: string }>(db.pool, 'SELECT email FROM users WHERE id = $1', [ref])).email, password: TEST_PASSWORD }
    : ref;
  const agent = request.agent(app);
  const res = await login(agent, creds.email, creds.password);
  if (res.status !== 303) throw new Error(`signing in ${creds.email} answered ${res.status}`);
  return agent;
}
