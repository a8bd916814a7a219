import type { Express } from 'express';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { one } from '../../../src/db';
import { agentAsEntrant } from '../../helpers/actors';
import { agentAs, makeApp, tokenFor } from '../../helpers/app';
import { resetDb, testConfig, testDb } from '../../helpers/db';
import { createContest, createEntry } from '../../helpers/factories';
import { CONTROL_CHARS_MESSAGE, REFUSED, STORED_VERBATIM, escapedHtml, expectNotPolluted, overLong, withPrototypeKeys } from '../../helpers/hostile';

/**
 * Hostile input against the entrant's self-service forms: the look-up (code + contact), the
 * corrections form and the withdraw button. Each describe is named after its route.
 */
const db = testDb();
let app: Express;
let contest: { id: number; slug: string; code_prefix: string };
const NOT_FOUND = 'Không tìm thấy bài dự thi khớp với mã và thông tin liên hệ này.';
const REQUIRED = 'Trường này là bắt buộc.';
// Field errors carry a key, not its parameters: the message names no number (it once showed "{max}").
const TOO_LONG = 'Dài quá số ký tự cho phép.';

beforeAll(async () => {
  await resetDb(db.pool);
  app = makeApp(db, testConfig({ RATE_LIMITS: 'false' }));
  contest = await createContest(db, { code_prefix: 'HSS' });
});
afterAll(() => db.close());

const entryRow = (id: number) =>
  one(db.pool, 'SELECT e.title, e.description, e.status, e.tiktok_url_input, p.display_name FROM entries e JOIN entrants p ON p.id = e.entrant_id WHERE e.id = $1', [id]);

describe('POST /c/:slug/my', () => {
  let entry: { id: number; code: string };
  beforeAll(async () => {
    entry = await createEntry(db, contest, { email: 'tra-cuu@example.vn', phone_e164: '+84912345678' });
  });
  async function lookup(body: Record<string, unknown> | string) {
    const agent = request.agent(app);
    const token = await tokenFor(agent, `/c/${contest.slug}/my`);
    if (typeof body === 'string') return agent.post(`/c/${contest.slug}/my`).set('x-csrf-token', token).type('json').send(body);
    const json = Object.values(body).some((v) => v !== null && typeof v === 'object' && !Array.isArray(v));
    return agent.post(`/c/${contest.slug}/my`).type(json ? 'json' : 'form').send({ _csrf: token, ...body });
  }

  test.each([
    ['a code in SQL', () => ({ code: "X' OR '1'='1' --", contact: 'tra-cuu@example.vn' })],
    ['a contact in SQL', () => ({ code: entry.code, contact: "' OR '1'='1" })],
    ['a contact matching everything', () => ({ code: entry.code, contact: '%' })],
    ['a template as the code', () => ({ code: '<%= 7*7 %>', contact: '{{7*7}}' })],
    ['the right code with a wildcard e-mail', () => ({ code: entry.code, contact: '%@example.vn' })],
  ] as [string, () => Record<string, unknown>][])('%s gets the same "not found" as an unknown code, shown escaped', async (_, body) => {
    const b = body();
    const res = await lookup(b);
    expect(res.status).toBe(200);
    expect(res.text).toContain(NOT_FOUND);
    expect(res.text).not.toContain('<%= 7*7');
    expect(res.text).toContain(`value="${escapedHtml(String(b.code).trim())}"`);
  });

  test.each([
    ...Object.entries(REFUSED).map(([k, v]) => [`a code with ${k}`, { code: `HSS${v}`, contact: 'tra-cuu@example.vn' }, 'code', CONTROL_CHARS_MESSAGE]),
    ['a contact with an RTL override', { code: 'HSS-00001', contact: `tra-cuu@example.vn${REFUSED.rtlOverride}` }, 'contact', CONTROL_CHARS_MESSAGE],
    ['an over-long code', { code: overLong(41), contact: 'x@example.vn' }, 'code', TOO_LONG],
    ['an over-long contact', { code: 'HSS-00001', contact: overLong(255) }, 'contact', TOO_LONG],
    ['two codes', { code: ['HSS-00001', 'HSS-00002'], contact: 'x@example.vn' }, 'code', REQUIRED],
    ['a contact object', { code: 'HSS-00001', contact: { $ne: null } }, 'contact', REQUIRED],
  ] as [string, Record<string, unknown>, string, string][])('%s is a 422 with the field marked, no access granted', async (_, body, field, message) => {
    const res = await lookup(body);
    expect(res.status).toBe(422);
    expect(res.text).toContain(`aria-describedby="f-${field}-err"`);
    expect(res.text).toContain(message);
  });

  test('prototype keys do not pollute, and the right pair still opens the page', async () => {
    const res = await lookup(withPrototypeKeys({ code: entry.code, contact: 'tra-cuu@example.vn' }));
    expect(res.status).toBe(303);
    expectNotPolluted();
  });
});

describe('POST /c/:slug/my/:code', () => {
  async function entrant() {
    const e = await createEntry(db, contest, { title: 'Tên cũ' });
    const agent = await agentAsEntrant(app, db, e.id);
    const row = await one<{ tiktok_url_input: string }>(db.pool, 'SELECT tiktok_url_input FROM entries WHERE id = $1', [e.id]);
    return { ...e, agent, url: `/c/${contest.slug}/my/${e.code}`, tiktokUrl: row.tiktok_url_input };
  }
  async function correct(e: { agent: TestAgent; url: string }, body: Record<string, unknown> | string) {
    const token = await tokenFor(e.agent, e.url);
    if (typeof body === 'string') return e.agent.post(e.url).set('x-csrf-token', token).type('json').send(body);
    const json = Object.values(body).some((v) => v !== null && typeof v === 'object' && !Array.isArray(v));
    return e.agent.post(e.url).type(json ? 'json' : 'form').send({ _csrf: token, ...body });
  }

  test.each(STORED_VERBATIM.map((s) => [s]))('the title, description and display name %j are stored verbatim and shown escaped', async (text) => {
    const e = await entrant();
    const res = await correct(e, { title: text, description: text, displayName: text, tiktokUrl: e.tiktokUrl });
    expect(res.status).toBe(303);
    const nfc = text.normalize('NFC').trim();
    expect(await entryRow(e.id)).toMatchObject({ title: nfc, description: nfc, display_name: nfc.replace(/\s+/g, ' ') });
    const organiser = (await agentAs(app, db, 'organiser')).agent;
    for (const [agent, page] of [[e.agent, e.url], [organiser, `/organiser/contests/${contest.slug}/entries/${e.code}`]] as const) {
      const html = (await agent.get(page)).text;
      expect(html).toContain(escapedHtml(nfc));
      if (text.includes('<')) expect(html).not.toContain(text);
    }
  });

  test.each([
    ...Object.entries(REFUSED).map(([k, v]) => [`a title with ${k}`, { title: v }, 'title', CONTROL_CHARS_MESSAGE]),
    ['a description with a bell', { description: REFUSED.bell }, 'description', CONTROL_CHARS_MESSAGE],
    ['a display name with an isolate', { displayName: REFUSED.isolate }, 'displayName', CONTROL_CHARS_MESSAGE],
    ['an over-long title', { title: overLong(201) }, 'title', TOO_LONG],
    ['an over-long description', { description: overLong(2001) }, 'description', TOO_LONG],
    ['an over-long display name', { displayName: overLong(121) }, 'displayName', TOO_LONG],
    ['two titles', { title: ['a', 'b'] }, 'title', REQUIRED],
    ['a title object', { title: { $ne: null } }, 'title', REQUIRED],
    ['a script URL for the clip', { tiktokUrl: 'javascript:alert(1)' }, 'tiktokUrl', ''],
    ['a clip URL in SQL', { tiktokUrl: "https://www.tiktok.com/@u/video/1' OR '1'='1" }, 'tiktokUrl', ''],
    ['an over-long clip URL', { tiktokUrl: `https://www.tiktok.com/@u/video/${'1'.repeat(2100)}` }, 'tiktokUrl', ''],
  ] as [string, Record<string, unknown>, string, string][])('%s is a 422 with the field marked and the input kept, nothing stored', async (_, body, field, message) => {
    const e = await entrant();
    const before = await entryRow(e.id);
    const res = await correct(e, { title: 'Giữ lại tên này', description: '', displayName: '', tiktokUrl: e.tiktokUrl, ...body });
    expect(res.status).toBe(422);
    expect(res.text).toContain(`aria-describedby="f-${field}-err"`);
    if (message) expect(res.text).toContain(message);
    if (!('title' in body)) expect(res.text).toContain('Giữ lại tên này');
    expect(await entryRow(e.id)).toEqual(before);
  });

  test('prototype keys do not pollute', async () => {
    const e = await entrant();
    const res = await correct(e, withPrototypeKeys({ title: 'Nguyên mẫu', tiktokUrl: e.tiktokUrl }));
    expect(res.status).toBe(303);
    expect(await entryRow(e.id)).toMatchObject({ title: 'Nguyên mẫu' });
    expectNotPolluted();
  });

  test.each([["X' OR '1'='1"], ['<script>'], [overLong(300)]])('a code %# in the URL is a 404, nothing stored', async (code) => {
    const e = await entrant();
    const token = await tokenFor(e.agent, e.url);
    const res = await e.agent.post(`/c/${contest.slug}/my/${encodeURIComponent(code)}`).type('form').send({ _csrf: token, title: 'x', tiktokUrl: e.tiktokUrl });
    expect(res.status).toBe(404);
    expect(await entryRow(e.id)).toMatchObject({ title: 'Tên cũ' });
  });
});

describe('POST /c/:slug/my/:code/withdraw', () => {
  test.each([
    ['hostile extra fields', { status: 'awarded', "reason'; DROP TABLE entries; --": '<script>', note: REFUSED.nul }],
    ['arrays and objects', { confirm: ['yes', 'no'], status: { $ne: 'withdrawn' } }],
    ['prototype keys', 'PROTO'],
  ] as [string, Record<string, unknown> | string][])('%s are ignored: the entry is withdrawn, nothing else changes', async (_, body) => {
    const e = await createEntry(db, contest, { title: 'Rút bài' });
    const agent = await agentAsEntrant(app, db, e.id);
    const url = `/c/${contest.slug}/my/${e.code}`;
    const token = await tokenFor(agent, url);
    const res = body === 'PROTO'
      ? await agent.post(`${url}/withdraw`).set('x-csrf-token', token).type('json').send(withPrototypeKeys({ status: 'awarded' }))
      : await agent.post(`${url}/withdraw`).type('json').send({ _csrf: token, ...(body as Record<string, unknown>) });
    expect(res.status).toBe(303);
    expect(await entryRow(e.id)).toMatchObject({ title: 'Rút bài', status: 'withdrawn' });
    expectNotPolluted();
  });

  test('a stranger with the same hostile body gets a 404 and withdraws nothing', async () => {
    const e = await createEntry(db, contest);
    const stranger = request.agent(app);
    const token = await tokenFor(stranger, `/c/${contest.slug}/my`);
    const res = await stranger.post(`/c/${contest.slug}/my/${e.code}/withdraw`).set('x-csrf-token', token).type('json').send(withPrototypeKeys({ t: "' OR '1'='1" }));
    expect(res.status).toBe(404);
    expect(await entryRow(e.id)).toMatchObject({ status: 'received' });
  });
});
