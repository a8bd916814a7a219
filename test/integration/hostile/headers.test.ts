import request from 'supertest';
import { agentAs, makeApp } from '../../helpers/app';
import { resetDb, testConfig, testDb } from '../../helpers/db';

/** Security headers and cookie flags on representative pages: public, sign-in, staff, API, errors. */
const db = testDb();
afterAll(() => db.close());
beforeAll(() => resetDb(db.pool));

const PAGES = ['/', '/login', '/healthz', '/no-such-page', '/api/no-such-endpoint'];

test.each(PAGES)('%s carries the security headers', async (path) => {
  const res = await request(makeApp(db, testConfig())).get(path);
  expect(res.headers['x-powered-by']).toBeUndefined();
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
  expect(res.headers['referrer-policy']).toBe('no-referrer');
  expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
  const csp = res.headers['content-security-policy'] as string;
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("object-src 'none'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain('frame-src https://www.tiktok.com');
  expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
  expect(res.headers['x-request-id']).toMatch(/^[\w-]{8,}$/);
});

test('staff pages are not cached by shared caches', async () => {
  const app = makeApp(db, testConfig());
  const { agent } = await agentAs(app, db, 'admin');
  const res = await agent.get('/admin/accounts');
  expect(res.status).toBe(200);
  expect(res.headers['cache-control']).toBe('private, no-store');
});

test('the session cookie is HttpOnly and SameSite=Lax, and Secure behind a TLS proxy', async () => {
  const plain = await request(makeApp(db, testConfig())).get('/login');
  const cookie = (plain.headers['set-cookie'] as unknown as string[]).join(';');
  expect(cookie).toMatch(/HttpOnly/);
  expect(cookie).toMatch(/SameSite=Lax/);
  expect(cookie).not.toMatch(/Secure/);
  const proxied = await request(makeApp(db, testConfig({ TRUST_PROXY: '1' }))).get('/login').set('X-Forwarded-Proto', 'https');
  const secure = (proxied.headers['set-cookie'] as unknown as string[]).join(';');
  expect(secure).toMatch(/Secure/);
  expect(secure).toMatch(/HttpOnly/);
});
