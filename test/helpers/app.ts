import type { Express } from 'express';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { createApp } from '../../src/app';
import type { Config } from '../../src/config';
import type { Db } from '../../src/db';
import { createLogger } from '../../src/shared/logger';
import type { Role } from '../../src/accounts/queries';
import { createStaff, TEST_PASSWORD } from './factories';

/** The session secret of test apps (also the key of the entrants' private links). */
export const TEST_SESSION_SECRET = 'test-secret-test-secret-test-secret-123';

export function makeApp(db: Db, config: Config): Express {
  return createApp({ config, db, logger: createLogger('silent'), sessionSecret: TEST_SESSION_SECRET, pruneSessions: false });
}

/** Pulls the CSRF token out of a rendered page. */
export function csrfFrom(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m?.[1]) throw new Error('no CSRF token in page');
  return m[1];
}

/** A signed-in agent (cookie jar) for a new staff member of the given role. */
export async function agentAs(app: Express, db: Db, role: Role, email?: string): Promise<{ agent: TestAgent; user: { id: number; email: string } }> {
  const user = await createStaff(db, { role, email });
  const agent = request.agent(app);
  await login(agent, user.email, TEST_PASSWORD);
  return { agent, user };
}

export async function login(agent: TestAgent, email: string, password: string) {
  const page = await agent.get('/login');
  const res = await agent.post('/login').type('form').send({ _csrf: csrfFrom(page.text), email, password });
  return res;
}

/** GET a page with the agent and return its CSRF token (for the next POST). */
export async function tokenFor(agent: TestAgent, path = '/login'): Promise<string> {
  const res = await agent.get(path);
  return csrfFrom(res.text);
}

/**
 * Fetches a CSRF token from `tokenPage`, then posts the form. The token must be fetched first:
 * an agent attaches its cookies when a request is created, not when it is sent.
 */
export async function postForm(agent: TestAgent, url: string, body: Record<string, unknown>, tokenPage = '/login') {
  const token = await tokenFor(agent, tokenPage);
  return agent.post(url).type('form').send({ _csrf: token, ...body });
}
