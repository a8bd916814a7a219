import type { Express } from 'express';
import request from 'supertest';
import { one } from '../../../src/db';
import { agentAs, makeApp, postForm, tokenFor } from '../../helpers/app';
import { contestFormBody } from '../../helpers/factories/contestSetup';
import { REFUSED, STORED_VERBATIM, escapedHtml, expectNotPolluted, overLong, withPrototypeKeys } from '../../helpers/hostile';
import { createContest } from '../../helpers/factories';
import { contestBannerPng } from '../../helpers/factories/contestImages';
import { resetDb, testConfig, testDb } from '../../helpers/db';

/** Hostile input against the contest forms (create, edit, state, banner) and the public contest pages. Each describe is named after its route. */
const db = testDb();
let app: Express;
const NEW = '/organiser/contests/new';
const count = async () => (await one<{ n: number }>(db.pool, 'SELECT count(*)::int AS n FROM contests')).n;

beforeAll(async () => {
  await resetDb(db.pool);
  app = makeApp(db, testConfig());
});
afterAll(() => db.close());

describe('POST /organiser/contests', () => {
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
});

test('odd slugs in public URLs are a 404, not an error', async () => {
  for (const slug of ["x'; DROP TABLE contests; --", '%00', '..%2F..%2Fetc%2Fpasswd', 'a'.repeat(5000)]) {
    const res = await request(app).get(`/c/${slug}`);
    expect(res.status).toBe(404);
    expect((await request(app).get(`/api/v1/contests/${slug}`)).status).toBe(404);
  }
});

describe('POST /organiser/contests/:id', () => {
  const snapshot = async (id: number) => JSON.stringify(await one(db.pool, 'SELECT title, summary, opens_at, closes_at, code_prefix, state FROM contests WHERE id = $1', [id]));
  test.each([
    ...Object.entries(REFUSED).map(([k, v]) => [`a summary with ${k}`, { summary: v }, 'Có ký tự điều khiển hoặc ký tự đảo chiều văn bản không được phép.']),
    ['an over-long title', { title: overLong(10_000) }, 'Nội dung quá dài.'],
    ['a date that does not exist', { opens_local: '2021-02-30T10:00' }, 'Ngày giờ không hợp lệ.'],
    ['an hour that does not exist', { ceremony_local: '2021-11-19T25:61' }, 'Ngày giờ không hợp lệ.'],
    ['a date in SQL', { closes_local: "2026-01-01T10:00' OR '1'='1" }, 'Ngày giờ không hợp lệ.'],
  ] as [string, Record<string, string>, string][])('%s is refused with 422, the form kept, nothing changed', async (_, body, message) => {
    const { agent } = await agentAs(app, db, 'organiser');
    const c = await createContest(db, { code_prefix: `ED${Math.floor(Math.random() * 1e6)}` });
    const before = await snapshot(c.id);
    const edit = `/organiser/contests/${c.id}/edit`;
    const res = await postForm(agent, `/organiser/contests/${c.id}`, contestFormBody({ title: 'Giữ lại tên này', slug: c.slug, code_prefix: c.code_prefix, ...body }), edit);
    expect(res.status).toBe(422);
    expect(res.text).toContain(message);
    expect(await snapshot(c.id)).toBe(before);
  });

  test('prototype keys do not pollute', async () => {
    const { agent } = await agentAs(app, db, 'organiser');
    const c = await createContest(db, { code_prefix: 'EDPROTO' });
    const token = await tokenFor(agent, `/organiser/contests/${c.id}/edit`);
    const res = await agent.post(`/organiser/contests/${c.id}`).set('x-csrf-token', token).type('json').send(withPrototypeKeys(contestFormBody({ title: 'Nguyên mẫu', slug: c.slug, code_prefix: c.code_prefix })));
    expect(res.status).toBe(303);
    expect((await one<{ title: string }>(db.pool, 'SELECT title FROM contests WHERE id = $1', [c.id])).title).toBe('Nguyên mẫu');
    expectNotPolluted();
  });
});

describe('POST /organiser/contests/:id/state', () => {
  test.each([["publish' OR '1'='1"], [['publish', 'archive']], [{ $ne: null }], [`archive${REFUSED.nul}`], [overLong(5000)]])('the action %# is refused with 422, the state unchanged', async (action) => {
    const { agent } = await agentAs(app, db, 'organiser');
    const c = await createContest(db, { code_prefix: `ST${Math.floor(Math.random() * 1e6)}`, state: 'draft' });
    const token = await tokenFor(agent, `/organiser/contests/${c.id}/edit`);
    const res = await agent.post(`/organiser/contests/${c.id}/state`).type('json').send({ _csrf: token, action });
    expect(res.status).toBe(422);
    expect((await one<{ state: string }>(db.pool, 'SELECT state FROM contests WHERE id = $1', [c.id])).state).toBe('draft');
  });
});

describe('POST /organiser/contests/:id/banner', () => {
  const PNG = contestBannerPng();
  const banner = async (id: number) => (await one<{ banner_file_id: number | null }>(db.pool, 'SELECT banner_file_id FROM contests WHERE id = $1', [id])).banner_file_id;

  test.each(STORED_VERBATIM.filter((s) => !/["\\]/.test(s)).map((s) => [s]))('a PNG named %j is kept under our own storage key; the name is only a label', async (name) => {
    const { agent } = await agentAs(app, db, 'organiser');
    const c = await createContest(db, { code_prefix: `BN${Math.floor(Math.random() * 1e6)}` });
    const token = await tokenFor(agent, `/organiser/contests/${c.id}/edit`);
    const res = await agent.post(`/organiser/contests/${c.id}/banner`).field('_csrf', token).attach('banner', PNG, { filename: `${name}.png`, contentType: 'image/png' });
    expect(res.status).toBe(303);
    const f = await one<{ storage_key: string; original_name: string }>(db.pool, 'SELECT f.storage_key, f.original_name FROM contests c JOIN stored_files f ON f.id = c.banner_file_id WHERE c.id = $1', [c.id]);
    expect(f.storage_key).toMatch(/^[0-9a-f]{2}\/[0-9a-f-]{36}\.png$/);
    expect(f.original_name).toBe(`${name}.png`.normalize('NFC'));
  });

  test.each([['no file'], ['a text field in place of the file'], ['more fields than the form has']])('%s leaves the banner as it was, never a 500', async (label) => {
    const { agent } = await agentAs(app, db, 'organiser');
    const c = await createContest(db, { code_prefix: `BX${Math.floor(Math.random() * 1e6)}` });
    const token = await tokenFor(agent, `/organiser/contests/${c.id}/edit`);
    let req = agent.post(`/organiser/contests/${c.id}/banner`).field('_csrf', token);
    if (label === 'a text field in place of the file') req = req.field('banner', '<script>alert(1)</script>');
    if (label === 'more fields than the form has') for (let i = 0; i < 10; i++) req = req.field(`f${i}`, "' OR '1'='1");
    const res = await req;
    expect(res.status).toBeLessThan(500);
    expect(await banner(c.id)).toBeNull();
  });
});
