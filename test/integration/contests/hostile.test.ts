import type { Express } from 'express';
import request from 'supertest';
import { one } from '../../../src/db';
import { agentAs, makeApp, postForm, tokenFor } from '../../helpers/app';
import { contestFormBody } from '../../helpers/factories/contestSetup';
import { REFUSED, STORED_VERBATIM, escapedHtml } from '../../helpers/hostile';
import { resetDb, testConfig, testDb } from '../../helpers/db';

/** Hostile input against the contest form and the public contest pages. */
const db = testDb();
let app: Express;
const NEW = '/organiser/contests/new';
const count = async () => (await one<{ n: number }>(db.pool, 'SELECT count(*)::int AS n FROM contests')).n;

beforeAll(async () => {
  await resetDb(db.pool);
  app = makeApp(db, testConfig());
});
afterAll(() => db.close());

test.each(STORED_VERBATIM.map((s, i) => [s, i]))('the title and a category %j are stored verbatim and shown escaped on every page', async (text, i) => {
  const { agent } = await agentAs(app, db, 'organiser');
  const slug = `hostile-${i}`;
  const res = await postForm(agent, '/organiser/contests', contestFormBody({ title: text, slug, code_prefix: `H${i}`, category_name: [text, 'Cộng đồng'], prize_category: ['', 'Cộng đồng', ''] }), NEW);
  expect(res.status).toBe(303);
  const c = await one<{ id: number; title: string }>(db.pool, 'SELECT id, title FROM contests WHERE slug = $1', [slug]);
  expect(c.title).toBe(text.normalize('NFC'));
  await db.pool.query("UPDATE contests SET state = 'published' WHERE id = $1", [c.id]);
  for (const url of [`/organiser/contests/${c.id}/edit`, `/c/${slug}`, `/c/${slug}/rules`, '/']) {
    const page = await agent.get(url);
    expect(page.status).toBe(200);
    expect(page.text).toContain(escapedHtml(text.normalize('NFC')));
    if (text.includes('<')) expect(page.text).not.toContain(text);
  }
  const api = await request(app).get(`/api/v1/contests/${slug}`);
  expect(api.body.title).toBe(text.normalize('NFC'));
});

test.each(Object.entries(REFUSED))('a title or a prize name with %s is refused with 422, the form kept, nothing stored', async (_, bad) => {
  const { agent } = await agentAs(app, db, 'organiser');
  const before = await count();
  const res = await postForm(agent, '/organiser/contests', contestFormBody({ title: bad, summary: 'Giữ lại nhé' }), NEW);
  expect(res.status).toBe(422);
  expect(res.text).toContain('Có ký tự điều khiển hoặc ký tự đảo chiều văn bản không được phép.');
  expect(res.text).toContain('Giữ lại nhé');
  const res2 = await postForm(agent, '/organiser/contests', contestFormBody({ title: 'Bình thường', prize_name: ['Giải Nhất', bad, 'Giải bình chọn'] }), NEW);
  expect(res2.status).toBe(422);
  expect(res2.text).toContain('Có ký tự điều khiển hoặc ký tự đảo chiều văn bản không được phép.');
  expect(await count()).toBe(before);
});

test('wrong shapes in a JSON body (arrays, objects, prototype keys) are a 422, never a 500', async () => {
  const { agent } = await agentAs(app, db, 'organiser');
  const before = await count();
  for (const body of [
    { title: ['a', 'b'] },
    { title: { $ne: null } },
    { category_name: { 0: 'x' } },
    { prize_count: [{ n: 1 }] },
  ]) {
    const token = await tokenFor(agent, NEW);
    const res = await agent.post('/organiser/contests').type('json').send({ ...contestFormBody({ title: 'Hình dạng sai' }), ...body, _csrf: token });
    expect(res.status).toBe(422);
  }
  expect(await count()).toBe(before);
  // Prototype keys are ignored: the contest is created and nothing is polluted.
  const token = await tokenFor(agent, NEW);
  const res = await agent.post('/organiser/contests').type('json')
    .send(JSON.parse(JSON.stringify({ ...contestFormBody({ title: 'Nguyên mẫu', slug: 'nguyen-mau', code_prefix: 'NM' }), _csrf: token }).replace('{', '{"__proto__":{"admin":true},"constructor":{"prototype":{"admin":true}},')) as object);
  expect(res.status).toBe(303);
  expect(({} as Record<string, unknown>).admin).toBeUndefined();
  expect(await count()).toBe(before + 1);
});

test('odd slugs in public URLs are a 404, not an error', async () => {
  for (const slug of ["x'; DROP TABLE contests; --", '%00', '..%2F..%2Fetc%2Fpasswd', 'a'.repeat(5000)]) {
    const res = await request(app).get(`/c/${slug}`);
    expect(res.status).toBe(404);
    expect((await request(app).get(`/api/v1/contests/${slug}`)).status).toBe(404);
  }
});
