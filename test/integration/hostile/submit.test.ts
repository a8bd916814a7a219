import type { Express } from 'express';
import request from 'supertest';
import { one } from '../../../src/db';
import { agentAsEntrant } from '../../helpers/actors';
import { agentAs, csrfFrom, makeApp, tokenFor } from '../../helpers/app';
import { resetDb, testConfig, testDb } from '../../helpers/db';
import { createContest, createEntry } from '../../helpers/factories';
import { ENTRIES_MP4, entriesFilesUnder, entriesSubmission, entriesUploadDir } from '../../helpers/factories/entries';
import { CONTROL_CHARS_MESSAGE, REFUSED, STORED_VERBATIM, escapedHtml, expectNotPolluted, overLong, withPrototypeKeys } from '../../helpers/hostile';

/**
 * Hostile input against the submit path as the entrant sends it: the JSON API body, the HTML
 * form (multipart) and the replacement of the original file. The upload middleware itself has its
 * 280-body table in multipart.test.ts. Each describe is named after its route.
 */
const db = testDb();
const uploadDir = entriesUploadDir();
let app: Express;
let contest: { id: number; slug: string; code_prefix: string };

beforeAll(async () => {
  await resetDb(db.pool);
  app = makeApp(db, testConfig({ RATE_LIMITS: 'false', UPLOAD_DIR: uploadDir }));
  contest = await createContest(db, { code_prefix: 'HSU', upload_mode: 'optional', max_entries_per_entrant: 100 });
});
afterAll(() => db.close());

const entries = async () => (await one<{ n: number }>(db.pool, 'SELECT count(*)::int AS n FROM entries WHERE contest_id = $1', [contest.id])).n;
const api = () => request(app).post(`/api/v1/contests/${contest.slug}/entries`);

describe('POST /api/v1/contests/:slug/entries', () => {
  test.each(STORED_VERBATIM.map((s) => [s]))('the title, description and name %j are stored verbatim and shown escaped to the organiser', async (text) => {
    const res = await api().send(entriesSubmission({ title: text, description: text, fullName: text }));
    expect(res.status).toBe(201);
    const nfc = text.normalize('NFC').trim();
    const row = await one<{ title: string; description: string; full_name: string }>(
      db.pool, 'SELECT e.title, e.description, p.full_name FROM entries e JOIN entrants p ON p.id = e.entrant_id WHERE e.contest_id = $1 AND e.code = $2', [contest.id, res.body.code]);
    expect(row).toEqual({ title: nfc, description: nfc, full_name: nfc.replace(/\s+/g, ' ') });
    const { agent } = await agentAs(app, db, 'organiser');
    const html = (await agent.get(`/organiser/contests/${contest.slug}/entries/${res.body.code}`)).text;
    expect(html).toContain(escapedHtml(nfc));
    if (text.includes('<')) expect(html).not.toContain(text);
  });

  test.each([
    ...Object.entries(REFUSED).map(([k, v]) => [`a title with ${k}`, { title: v }, 'title']),
    ['a name with an RTL override', { fullName: `Linh${REFUSED.rtlOverride}` }, 'fullName'],
    ['an over-long title', { title: overLong(201) }, 'title'],
    ['an over-long description', { description: overLong(2001) }, 'description'],
    ['two titles', { title: ['a', 'b'] }, 'title'],
    ['a title object', { title: { $ne: null } }, 'title'],
    ['a script URL for the clip', { tiktokUrl: 'javascript:alert(1)' }, 'tiktokUrl'],
    ['a clip URL in SQL', { tiktokUrl: "https://www.tiktok.com/@u/video/1' OR '1'='1" }, 'tiktokUrl'],
    ['an e-mail in SQL', { email: "x@example.vn' OR '1'='1" }, 'email'],
    ['a phone in SQL', { phone: '0912; DROP TABLE entrants' }, 'phone'],
    ['consent as an object', { consent: { $ne: false } }, 'consent'],
  ] as [string, Record<string, unknown>, string][])('%s is a 422 naming the field, nothing stored', async (_, body, field) => {
    const before = await entries();
    const res = await api().send(entriesSubmission(body));
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.errors)).toContain(field);
    if (Object.values(REFUSED).some((r) => JSON.stringify(body).includes(JSON.stringify(r).slice(1, -1)))) expect(res.body.errors[field]).toBe(CONTROL_CHARS_MESSAGE);
    expect(await entries()).toBe(before);
  });

  test.each([['spaces', 'a key with spaces'], ['SQL', "k' OR '1'='1"], ['an over-long key', 'k'.repeat(201)]])('an Idempotency-Key with %s is a 422, nothing stored', async (_, key) => {
    const before = await entries();
    const res = await api().set('Idempotency-Key', key).send(entriesSubmission());
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.errors)).toEqual(['Idempotency-Key']);
    expect(await entries()).toBe(before);
  });

  test('a body that is an array, a string or broken JSON is a 422, never a 500', async () => {
    const before = await entries();
    for (const raw of ['[]', '"hello"', '{"title":', 'null']) {
      const res = await api().type('json').send(raw);
      expect(res.status).toBe(422);
    }
    expect(await entries()).toBe(before);
  });

  test('prototype keys do not pollute; the entry is stored once', async () => {
    const before = await entries();
    const res = await api().type('json').send(withPrototypeKeys(entriesSubmission()));
    expect(res.status).toBe(201);
    expect(await entries()).toBe(before + 1);
    expectNotPolluted();
  });
});

describe('POST /c/:slug/submit', () => {
  async function formPost(fields: Record<string, unknown>) {
    const agent = request.agent(app);
    const page = await agent.get(`/c/${contest.slug}/submit`);
    const formToken = /name="formToken" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    let r = agent.post(`/c/${contest.slug}/submit`).field('_csrf', csrfFrom(page.text)).field('formToken', formToken);
    for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) r = r.field(k, x === true ? 'on' : String(x));
    return r;
  }

  test.each(STORED_VERBATIM.slice(0, 4).map((s) => [s]))('the title %j is stored verbatim', async (title) => {
    const res = await formPost(entriesSubmission({ title }));
    expect(res.status).toBe(303);
    expect(await one(db.pool, 'SELECT title FROM entries WHERE contest_id = $1 ORDER BY id DESC LIMIT 1', [contest.id])).toEqual({ title: title.trim() });
  });

  test.each([
    ...Object.entries(REFUSED).map(([k, v]) => [`a title with ${k}`, { title: v }, 'title', CONTROL_CHARS_MESSAGE]),
    ['two titles', { title: ['a', 'b'] }, 'title', ''],
    ['an over-long description', { description: overLong(2001) }, 'description', ''],
    ['a template as the clip URL', { tiktokUrl: '<%= process.env.SESSION_SECRET %>' }, 'tiktokUrl', ''],
  ] as [string, Record<string, unknown>, string, string][])('%s is a 422 with the field marked and the input kept, nothing stored', async (_, body, field, message) => {
    const before = await entries();
    const res = await formPost(entriesSubmission({ description: 'Giữ lại mô tả này', ...body }));
    expect(res.status).toBe(422);
    expect(res.text).toContain(`f-${field}-err`);
    if (message) expect(res.text).toContain(message);
    if (!('description' in body)) expect(res.text).toContain('Giữ lại mô tả này');
    expect(res.text).not.toContain('<%= process.env');
    expect(await entries()).toBe(before);
  });

  test('field names that are prototype keys or SQL are ignored', async () => {
    const before = await entries();
    const res = await formPost(entriesSubmission({ __proto__: 'x', constructor: 'y', "title'; --": 'z' }));
    expect(res.status).toBe(303);
    expect(await entries()).toBe(before + 1);
    expectNotPolluted();
  });
});

describe('POST /c/:slug/my/:code/video', () => {
  async function entrant() {
    const e = await createEntry(db, contest);
    const agent = await agentAsEntrant(app, db, e.id);
    const url = `/c/${contest.slug}/my/${e.code}`;
    return { ...e, agent, url, token: await tokenFor(agent, url) };
  }
  const fileOf = async (id: number) => (await one<{ video_file_id: number | null }>(db.pool, 'SELECT video_file_id FROM entries WHERE id = $1', [id])).video_file_id;

  test.each(STORED_VERBATIM.filter((s) => !/["\\]/.test(s)).map((s) => [s]))('a clip named %j is stored under our own key; the name is only a label', async (name) => {
    const e = await entrant();
    const res = await e.agent.post(`${e.url}/video`).field('_csrf', e.token).attach('video', ENTRIES_MP4, `${name}.mp4`);
    expect(res.status).toBe(303);
    const f = await one<{ storage_key: string; original_name: string }>(db.pool, 'SELECT f.storage_key, f.original_name FROM entries e JOIN stored_files f ON f.id = e.video_file_id WHERE e.id = $1', [e.id]);
    expect(f.storage_key).toMatch(/^[0-9a-f]{2}\/[0-9a-f-]{36}\.mp4$/);
    expect(f.original_name).toBe(`${name}.mp4`.normalize('NFC'));
  });

  test.each([
    ['no file', null, 422],
    ['an HTML page named .mp4', Buffer.from('<!doctype html><script>alert(1)</script>'.padEnd(1000, ' ')), 415],
  ] as [string, Buffer | null, number][])('%s is refused, nothing stored', async (_, buf, status) => {
    const e = await entrant();
    const files = entriesFilesUnder(uploadDir).length;
    let r = e.agent.post(`${e.url}/video`).field('_csrf', e.token).field('__proto__', 'x');
    if (buf) r = r.attach('video', buf, 'clip.mp4');
    const res = await r;
    expect(res.status).toBe(status);
    expect(await fileOf(e.id)).toBeNull();
    await new Promise((w) => setTimeout(w, 50));
    expect(entriesFilesUnder(uploadDir).length).toBe(files);
    expectNotPolluted();
  });
});
