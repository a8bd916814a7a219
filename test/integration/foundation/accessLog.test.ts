import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../../src/app';
import { resetDb, testConfig, testDb } from '../../helpers/db';
import { TEST_SESSION_SECRET } from '../../helpers/app';

const db = testDb();
const lines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
    done();
  },
});
const app = createApp({ config: testConfig(), db, logger: pino({ level: 'info' }, sink), sessionSecret: TEST_SESSION_SECRET, pruneSessions: false });

beforeAll(() => resetDb(db.pool));
afterAll(() => db.close());
beforeEach(() => lines.splice(0));

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('access log', () => {
  it('one line per answer: its request id, method, path without the query, status and time; no cookie, no query', async () => {
    const res = await request(app).get('/c/no-such-contest?email=linh@example.vn').set('Cookie', 'lang=en; other=secret');
    await settle();
    expect(res.status).toBe(404);
    const mine = lines.filter((l) => l.msg === 'request completed');
    expect(mine).toHaveLength(1);
    const line = mine[0] as { req: Record<string, unknown>; res: Record<string, unknown>; responseTime: unknown };
    expect(line.req).toEqual({ id: res.headers['x-request-id'], method: 'GET', url: '/c/no-such-contest' });
    expect(line.res).toEqual({ statusCode: 404 });
    expect(typeof line.responseTime).toBe('number');
    expect(JSON.stringify(lines)).not.toMatch(/linh@example|secret/);
  });

  it("keeps the caller's request id when it looks like one, and makes its own otherwise", async () => {
    const kept = await request(app).get('/healthz').set('X-Request-Id', 'lb-1234abcd');
    expect(kept.headers['x-request-id']).toBe('lb-1234abcd');
    const replaced = await request(app).get('/healthz').set('X-Request-Id', 'bad id <script>');
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('health checks and static files are not logged', async () => {
    await request(app).get('/healthz');
    await request(app).get('/static/favicon.svg');
    await settle();
    expect(lines.filter((l) => l.msg === 'request completed')).toEqual([]);
  });
});
