import { createHash, randomBytes } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import type { ContestRow } from '../../../src/contests/queries';
import { execute, one, rows } from '../../../src/db';
import { insertSignInLink } from '../../../src/entries/queries';
import { agentAsEntrant } from '../../helpers/actors';
import { agentAs, makeApp, tokenFor } from '../../helpers/app';
import { resetDb, testConfig, testDb } from '../../helpers/db';
import { createContest, createEntry } from '../../helpers/factories';
import { CONTROL_CHARS_MESSAGE, REFUSED, STORED_VERBATIM, escapedHtml, expectNotPolluted, overLong, withPrototypeKeys } from '../../helpers/hostile';

/**
 * Hostile input against the entrant's self-service forms: the look-up (code + contact), the
 * corrections form, the details form, the withdraw button, and the one-time sign-in link (asking
 * for it, using it). Each describe is named after its route.
 */
const db = testDb();
let app: Express;
let contest: { id: number; slug: string; code_prefix: string };
const NOT_FOUND = 'Không tìm thấy bài dự thi khớp với mã và thông tin liên hệ này.';
const REQUIRED = 'Trường này là bắt buộc.';
// Field errors carry a key, not its parameters: the message names no number (it once showed "{max}").
const TOO_LONG = 'Dài quá số ký tự cho phép.';
const INVALID = 'Giá trị không hợp lệ.';
const EMAIL_INVALID = 'Email chưa đúng.';
const PHONE_INVALID = 'Số điện thoại chưa đúng.';
const CONTACT_REQUIRED = 'Cần ít nhất email hoặc số điện thoại';
const DOB_INVALID = 'Ngày sinh chưa đúng.';
const NATIONAL_ID_INVALID = 'Số CCCD gồm đúng 12 chữ số.';
const HANDLE_INVALID = 'Tên tài khoản chỉ gồm chữ, số, dấu chấm và gạch dưới.';
const LINK_SENT = 'Hãy kiểm tra hộp thư';
const LINK_USED = 'Đường dẫn đã được dùng hoặc đã hết hạn';

type Body = Record<string, unknown> | string | URLSearchParams;

/**
 * Posts a body the way a browser or a script would: a string is raw JSON (how prototype keys
 * travel, the CSRF token in the header), URLSearchParams a raw form (a repeated key arrives as an
 * array), an object holding an array or an object goes as JSON, anything else as a form.
 */
function post(agent: TestAgent, url: string, csrf: string, body: Body) {
  if (typeof body === 'string') return agent.post(url).set('x-csrf-token', csrf).type('json').send(body);
  if (body instanceof URLSearchParams) {
    body.set('_csrf', csrf);
    return agent.post(url).type('form').send(body.toString());
  }
  const json = Object.values(body).some((v) => v !== null && typeof v === 'object');
  return agent.post(url).type(json ? 'json' : 'form').send({ _csrf: csrf, ...body });
}

/** A form whose array values become repeated keys (`email=a&email=b`), as a tampered browser form sends them. */
function formOf(body: Record<string, unknown>): URLSearchParams {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(body)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, String(x));
  return p;
}

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
  async function lookup(body: Body) {
    const agent = request.agent(app);
    return post(agent, `/c/${contest.slug}/my`, await tokenFor(agent, `/c/${contest.slug}/my`), body);
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
    ['a code object with its own toString', { code: { toString: 'HSS-00001' }, contact: 'x@example.vn' }, 'code', REQUIRED],
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
  async function correct(e: { agent: TestAgent; url: string }, body: Body) {
    return post(e.agent, e.url, await tokenFor(e.agent, e.url), body);
  }

  test.each(STORED_VERBATIM.map((s) => [s]))('the title and description %j are stored verbatim and shown escaped', async (text) => {
    const e = await entrant();
    const res = await correct(e, { title: text, description: text, tiktokUrl: e.tiktokUrl });
    expect(res.status).toBe(303);
    const nfc = text.normalize('NFC').trim();
    expect(await entryRow(e.id)).toMatchObject({ title: nfc, description: nfc });
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
    ['an over-long title', { title: overLong(201) }, 'title', TOO_LONG],
    ['an over-long description', { description: overLong(2001) }, 'description', TOO_LONG],
    ['two titles', { title: ['a', 'b'] }, 'title', REQUIRED],
    ['a title object', { title: { $ne: null } }, 'title', REQUIRED],
    ['a title object with its own toString', { title: { toString: 'Tên' } }, 'title', REQUIRED],
    ['a script URL for the clip', { tiktokUrl: 'javascript:alert(1)' }, 'tiktokUrl', ''],
    ['a clip URL in SQL', { tiktokUrl: "https://www.tiktok.com/@u/video/1' OR '1'='1" }, 'tiktokUrl', ''],
    ['an over-long clip URL', { tiktokUrl: `https://www.tiktok.com/@u/video/${'1'.repeat(2100)}` }, 'tiktokUrl', ''],
  ] as [string, Record<string, unknown>, string, string][])('%s is a 422 with the field marked and the input kept, nothing stored', async (_, body, field, message) => {
    const e = await entrant();
    const before = await entryRow(e.id);
    const res = await correct(e, { title: 'Giữ lại tên này', description: '', tiktokUrl: e.tiktokUrl, ...body });
    expect(res.status).toBe(422);
    expect(res.text).toContain(`aria-describedby="f-${field}-err"`);
    if (message) expect(res.text).toContain(message);
    if (!('title' in body)) expect(res.text).toContain('Giữ lại tên này');
    expect(await entryRow(e.id)).toEqual(before);
  });

  test('a display name sent here is ignored: it belongs to the details form', async () => {
    const e = await entrant();
    const before = await entryRow(e.id);
    const res = await correct(e, { title: 'Tên mới', description: before.description, tiktokUrl: e.tiktokUrl, displayName: "Robert'); DROP TABLE entrants; --" });
    expect(res.status).toBe(303);
    expect(await entryRow(e.id)).toEqual({ ...before, title: 'Tên mới' });
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

describe('POST /c/:slug/my/:code/details', () => {
  // Every extra field the entrant page corrects, some required and some optional so both rules
  // are hit. The details form has no full name: it stays as submitted.
  const FIELDS = { dateOfBirth: 'optional', organisation: 'required', occupation: 'optional', province: 'required', address: 'optional', nationalId: 'required', tiktokHandle: 'optional' };
  const ALL = ['displayName', 'email', 'phone', ...Object.keys(FIELDS)];
  let dc: ContestRow;
  let n = 0;
  beforeAll(async () => {
    dc = await createContest(db, { code_prefix: 'HSD', entrant_fields: FIELDS });
  });

  async function entrant() {
    n += 1;
    const email = `chi-tiet-${n}@example.vn`;
    const phone = `+8498${String(1000000 + n).slice(-7)}`;
    const e = await createEntry(db, dc, { email, phone_e164: phone, organisation: 'Trường THPT Chu Văn An', province: 'Hà Nội' });
    await execute(db.pool, `UPDATE entrants SET national_id = '079012345678' WHERE id = $1`, [e.entrant_id]);
    const agent = await agentAsEntrant(app, db, e.id);
    const valid: Record<string, string> = {
      displayName: 'Tên hiển thị',
      email,
      phone,
      dateOfBirth: '2001-02-03',
      organisation: 'Trường THPT Chu Văn An',
      occupation: 'Giáo viên',
      province: 'Hà Nội',
      address: '12 Tràng Tiền',
      nationalId: '',
      tiktokHandle: 'ten.tai_khoan',
    };
    return { ...e, agent, url: `/c/${dc.slug}/my/${e.code}`, valid };
  }
  async function send(e: { agent: TestAgent; url: string }, body: Body) {
    return post(e.agent, `${e.url}/details`, await tokenFor(e.agent, e.url), body);
  }
  /** The whole entrant row, and what a change would have written beside it (audit, mail). */
  const written = async (entryId: number) => ({
    entrant: await one(db.pool, 'SELECT p.* FROM entrants p JOIN entries e ON e.entrant_id = p.id WHERE e.id = $1', [entryId]),
    audit: (await one<{ n: number }>(db.pool, `SELECT count(*)::int AS n FROM audit_log WHERE action = 'entrant.details_corrected' AND subject_id = $1`, [entryId])).n,
    mail: (await one<{ n: number }>(db.pool, 'SELECT count(*)::int AS n FROM outbox WHERE contest_id = $1', [dc.id])).n,
  });

  test.each(STORED_VERBATIM.map((s) => [s]))('the free-text details %j are stored verbatim and shown escaped to the entrant and the organiser', async (text) => {
    const e = await entrant();
    const res = await send(e, { ...e.valid, displayName: text, organisation: text, occupation: text, province: text, address: text });
    expect(res.status).toBe(303);
    const nfc = text.normalize('NFC').trim();
    expect(await one(db.pool, 'SELECT display_name, organisation, occupation, province, address FROM entrants WHERE id = $1', [e.entrant_id])).toEqual({
      display_name: nfc.replace(/\s+/g, ' '),
      organisation: nfc,
      occupation: nfc,
      province: nfc,
      address: nfc,
    });
    const organiser = (await agentAs(app, db, 'organiser')).agent;
    for (const [agent, page] of [[e.agent, e.url], [organiser, `/organiser/contests/${dc.slug}/entries/${e.code}`]] as const) {
      const html = (await agent.get(page)).text;
      expect(html).toContain(escapedHtml(nfc));
      if (text.includes('<')) expect(html).not.toContain(text);
    }
  });

  test('an address with an apostrophe and a plus is a valid email: stored lower-case, shown escaped', async () => {
    const e = await entrant();
    const res = await send(e, { ...e.valid, email: " O'Neil+Drop.Table@Example.VN " });
    expect(res.status).toBe(303);
    expect(await one(db.pool, 'SELECT email::text AS email FROM entrants WHERE id = $1', [e.entrant_id])).toEqual({ email: "o'neil+drop.table@example.vn" });
    const html = (await e.agent.get(e.url)).text;
    expect(html).toContain('o&#39;neil+drop.table@example.vn');
    expect(html).not.toContain("o'neil");
  });

  const refused: [string, (v: Record<string, string>) => Body, string, string, string | null][] = [
    ...ALL.flatMap((f) => Object.entries(REFUSED).map(([k, v]) => [`${f} with ${k}`, (b: Record<string, string>) => ({ ...b, [f]: v }), f, CONTROL_CHARS_MESSAGE, v] as [string, (v: Record<string, string>) => Body, string, string, string])),
    ['an over-long display name', (b) => ({ ...b, displayName: overLong(121) }), 'displayName', TOO_LONG, overLong(121)],
    ['an over-long email', (b) => ({ ...b, email: overLong(255) }), 'email', TOO_LONG, overLong(255)],
    ['an over-long but well-formed email', (b) => ({ ...b, email: `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(60)}.vn` }), 'email', TOO_LONG, null],
    ['an over-long phone', (b) => ({ ...b, phone: '0'.repeat(31) }), 'phone', PHONE_INVALID, '0'.repeat(31)],
    ['an over-long date of birth', (b) => ({ ...b, dateOfBirth: '2001-02-03'.repeat(20) }), 'dateOfBirth', DOB_INVALID, '2001-02-03'.repeat(20)],
    ['an over-long organisation', (b) => ({ ...b, organisation: overLong(201) }), 'organisation', TOO_LONG, overLong(201)],
    ['an over-long occupation', (b) => ({ ...b, occupation: overLong(121) }), 'occupation', TOO_LONG, overLong(121)],
    ['an over-long province', (b) => ({ ...b, province: overLong(121) }), 'province', TOO_LONG, overLong(121)],
    ['an over-long address', (b) => ({ ...b, address: overLong(301) }), 'address', TOO_LONG, overLong(301)],
    ['an over-long national ID', (b) => ({ ...b, nationalId: '1'.repeat(13) }), 'nationalId', NATIONAL_ID_INVALID, '1'.repeat(13)],
    ['an over-long TikTok handle', (b) => ({ ...b, tiktokHandle: 'a'.repeat(61) }), 'tiktokHandle', HANDLE_INVALID, 'a'.repeat(61)],
    ['an email in SQL', (b) => ({ ...b, email: "' OR '1'='1" }), 'email', EMAIL_INVALID, "' OR '1'='1"],
    ['an email with SQL after it', (b) => ({ ...b, email: "x@example.vn' OR '1'='1" }), 'email', EMAIL_INVALID, "x@example.vn' OR '1'='1"],
    ['an email that is markup', (b) => ({ ...b, email: '<script>alert(1)</script>@example.vn' }), 'email', EMAIL_INVALID, '<script>alert(1)</script>@example.vn'],
    ['a wildcard email', (b) => ({ ...b, email: '%@example.vn' }), 'email', EMAIL_INVALID, '%@example.vn'],
    ['two addresses in one email', (b) => ({ ...b, email: 'a@example.vn, b@example.vn' }), 'email', EMAIL_INVALID, 'a@example.vn, b@example.vn'],
    ['an email with a header after a line break', (b) => ({ ...b, email: 'a@example.vn\r\nBcc: b@example.vn' }), 'email', EMAIL_INVALID, null],
    ['a phone in SQL', (b) => ({ ...b, phone: "0912345678' OR '1'='1" }), 'phone', PHONE_INVALID, "0912345678' OR '1'='1"],
    ['a phone that is markup', (b) => ({ ...b, phone: '<script>alert(1)</script>' }), 'phone', PHONE_INVALID, '<script>alert(1)</script>'],
    ['a phone template', (b) => ({ ...b, phone: '{{7*7}}' }), 'phone', PHONE_INVALID, '{{7*7}}'],
    ['neither email nor phone', (b) => ({ ...b, email: '', phone: ' ' }), 'email', CONTACT_REQUIRED, null],
    ['a date of birth in SQL', (b) => ({ ...b, dateOfBirth: "2001-02-03' OR '1'='1" }), 'dateOfBirth', DOB_INVALID, "2001-02-03' OR '1'='1"],
    ['the 30th of February', (b) => ({ ...b, dateOfBirth: '2001-02-30' }), 'dateOfBirth', DOB_INVALID, '2001-02-30'],
    ['the year zero', (b) => ({ ...b, dateOfBirth: '0000-01-01' }), 'dateOfBirth', DOB_INVALID, '0000-01-01'],
    ['a date of birth in the future', (b) => ({ ...b, dateOfBirth: '2999-01-01' }), 'dateOfBirth', DOB_INVALID, '2999-01-01'],
    ['a national ID in SQL', (b) => ({ ...b, nationalId: "079012345678' OR '1'='1" }), 'nationalId', NATIONAL_ID_INVALID, "079012345678' OR '1'='1"],
    ['a TikTok handle that is markup', (b) => ({ ...b, tiktokHandle: '<script>' }), 'tiktokHandle', HANDLE_INVALID, '<script>'],
    ['a TikTok handle that is a path', (b) => ({ ...b, tiktokHandle: '../../admin' }), 'tiktokHandle', HANDLE_INVALID, '../../admin'],
    ['a blank required field', (b) => ({ ...b, organisation: '   ' }), 'organisation', REQUIRED, null],
    ...ALL.flatMap((f) => [
      [`${f} as a JSON array`, (b: Record<string, string>) => ({ ...b, [f]: [b[f] || 'x', 'y'] }), f, '', null],
      [`${f} twice in a form`, (b: Record<string, string>) => formOf({ ...b, [f]: [b[f] || 'x', 'y'] }), f, '', null],
      [`${f} as an object`, (b: Record<string, string>) => ({ ...b, [f]: { $ne: null } }), f, '', null],
      [`${f} as a JSON number`, (b: Record<string, string>) => JSON.stringify({ ...b, [f]: 12 }), f, '', null],
      [`${f} as an object with its own toString`, (b: Record<string, string>) => ({ ...b, [f]: { toString: 'x' } }), f, '', null],
    ] as [string, (v: Record<string, string>) => Body, string, string, null][]),
  ];
  test.each(refused)('%s is a 422 with the field marked and the input kept, nothing written', async (_, body, field, message, typed) => {
    const e = await entrant();
    const before = await written(e.id);
    const res = await send(e, body(e.valid));
    expect(res.status).toBe(422);
    expect(res.text).toContain(`aria-describedby="f-${field}-err"`);
    if (message) expect(res.text).toContain(message);
    if (typed !== null) expect(res.text).toContain(`value="${escapedHtml(typed)}"`);
    // The other fields keep what was typed too.
    if (field !== 'address') expect(res.text).toContain('value="12 Tràng Tiền"');
    expect(await written(e.id)).toEqual(before);
  });

  test('prototype keys do not pollute, and the details are still saved', async () => {
    const e = await entrant();
    const res = await send(e, withPrototypeKeys({ ...e.valid, displayName: 'Nguyên mẫu' }));
    expect(res.status).toBe(303);
    expect(await one(db.pool, 'SELECT display_name FROM entrants WHERE id = $1', [e.entrant_id])).toEqual({ display_name: 'Nguyên mẫu' });
    expectNotPolluted();
  });

  test.each([["X' OR '1'='1"], ['<script>'], [overLong(300)]])('a code %# in the URL is a 404, nothing written', async (code) => {
    const e = await entrant();
    const before = await written(e.id);
    const res = await post(e.agent, `/c/${dc.slug}/my/${encodeURIComponent(code)}/details`, await tokenFor(e.agent, e.url), { ...e.valid, displayName: 'Kẻ lạ' });
    expect(res.status).toBe(404);
    expect(await written(e.id)).toEqual(before);
  });

  test("another entrant's entry is a 404 with the same body, nothing written", async () => {
    const mine = await entrant();
    const theirs = await entrant();
    const before = await written(theirs.id);
    const res = await post(mine.agent, `/c/${dc.slug}/my/${theirs.code}/details`, await tokenFor(mine.agent, mine.url), { ...theirs.valid, email: 'ke-trom@example.vn' });
    expect(res.status).toBe(404);
    expect(await written(theirs.id)).toEqual(before);
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

describe('POST /c/:slug/my-link', () => {
  const KNOWN = 'lien-ket@example.vn';
  beforeAll(async () => {
    await createEntry(db, contest, { email: KNOWN });
  });
  async function ask(body: Body) {
    const agent = request.agent(app);
    return post(agent, `/c/${contest.slug}/my-link`, await tokenFor(agent, `/c/${contest.slug}/my`), body);
  }
  const mails = () => rows<{ to_address: string }>(db.pool, `SELECT to_address FROM outbox WHERE kind = 'entrant_sign_in_link' ORDER BY id`);
  const links = () => rows<{ email: string; entry_id: number | null }>(db.pool, 'SELECT email::text AS email, entry_id FROM entrant_sign_in_links WHERE contest_id = $1 ORDER BY id', [contest.id]);
  /** No sign-in mail, ever, to anything but the address that sent an entry. */
  async function expectMailOnlyToKnown() {
    expect((await mails()).map((m) => m.to_address).filter((a) => a !== KNOWN)).toEqual([]);
  }

  test.each([
    ['an unknown address with an apostrophe', "o'brien@example.vn", 'o&#39;brien@example.vn'],
    ['an unknown address that reads like SQL', "drop.table'--@example.vn", 'drop.table&#39;--@example.vn'],
  ])('%s gets the neutral answer, shown escaped, and no mail', async (_, email, shown) => {
    const before = await mails();
    const res = await ask({ email, entryCode: '' });
    expect(res.status).toBe(200);
    expect(res.text).toContain(LINK_SENT);
    expect(res.text).toContain(shown);
    expect(res.text).not.toContain(email);
    expect(await mails()).toEqual(before);
  });

  test.each([["' OR '1'='1"], ['<%= 7*7 %>'], ['HSS-00001\' OR \'1\'=\'1']])('the known address with the entry code %j gets the neutral answer; the link names no entry', async (entryCode) => {
    const before = (await mails()).length;
    const res = await ask({ email: KNOWN, entryCode });
    expect(res.status).toBe(200);
    expect(res.text).toContain(LINK_SENT);
    expect(res.text).not.toContain('<%= 7*7');
    expect((await mails()).length).toBe(before + 1);
    expect((await links()).at(-1)).toEqual({ email: KNOWN, entry_id: null });
    await expectMailOnlyToKnown();
  });

  test.each([
    ...Object.entries(REFUSED).map(([k, v]) => [`the known address with ${k}`, { email: `${KNOWN}${v}` }, 'email', CONTROL_CHARS_MESSAGE, `${KNOWN}${v}`]),
    ['an address in SQL', { email: "' OR '1'='1" }, 'email', EMAIL_INVALID, "' OR '1'='1"],
    ['the known address with SQL after it', { email: `${KNOWN}' OR '1'='1` }, 'email', EMAIL_INVALID, `${KNOWN}' OR '1'='1`],
    ['markup', { email: '<script>alert(1)</script>' }, 'email', EMAIL_INVALID, '<script>alert(1)</script>'],
    ['a template', { email: '{{7*7}}@example.vn' }, 'email', EMAIL_INVALID, '{{7*7}}@example.vn'],
    ['an EJS tag', { email: '<%= process.env.SESSION_SECRET %>@example.vn' }, 'email', EMAIL_INVALID, '<%= process.env.SESSION_SECRET %>@example.vn'],
    ['a wildcard', { email: '%@example.vn' }, 'email', EMAIL_INVALID, '%@example.vn'],
    ['a header after a line break', { email: `${KNOWN}\r\nBcc: ke-la@example.vn` }, 'email', EMAIL_INVALID, null],
    ['two addresses', { email: `${KNOWN}, ke-la@example.vn` }, 'email', EMAIL_INVALID, `${KNOWN}, ke-la@example.vn`],
    ['an over-long address', { email: overLong(255) }, 'email', TOO_LONG, overLong(254)],
    ['an over-long but well-formed address', { email: `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(60)}.vn` }, 'email', TOO_LONG, null],
    ['no address', { email: '  ' }, 'email', REQUIRED, null],
    ['two addresses as a JSON array', { email: [KNOWN, 'ke-la@example.vn'] }, 'email', INVALID, null],
    ['two addresses as a repeated form key', formOf({ email: [KNOWN, 'ke-la@example.vn'] }), 'email', INVALID, null],
    ['an address object', { email: { $ne: null } }, 'email', INVALID, null],
    ['an address object with a toString', { email: { toString: KNOWN } }, 'email', INVALID, null],
    ['a JSON number', JSON.stringify({ email: 1 }), 'email', INVALID, null],
    ['an over-long entry code', { email: KNOWN, entryCode: overLong(41) }, 'entryCode', TOO_LONG, null],
    ['an entry code with an RTL override', { email: KNOWN, entryCode: `HSS${REFUSED.rtlOverride}` }, 'entryCode', CONTROL_CHARS_MESSAGE, null],
    ['two entry codes', { email: KNOWN, entryCode: ['HSS-00001', 'HSS-00002'] }, 'entryCode', INVALID, null],
    ['an entry code object', { email: KNOWN, entryCode: { $gt: '' } }, 'entryCode', INVALID, null],
  ] as [string, Body, string, string, string | null][])('%s is a 422 with the field marked, no link, no mail', async (_, body, field, message, typed) => {
    const [mailsBefore, linksBefore] = [await mails(), await links()];
    const res = await ask(body);
    expect(res.status).toBe(422);
    expect(res.text).toContain(`aria-describedby="f-${field}-err"`);
    expect(res.text).toContain(message);
    if (typed !== null) expect(res.text).toContain(`value="${escapedHtml(typed)}"`);
    expect(await mails()).toEqual(mailsBefore);
    expect(await links()).toEqual(linksBefore);
    await expectMailOnlyToKnown();
  });

  test('prototype keys do not pollute; the known address still gets its one mail', async () => {
    const before = (await mails()).length;
    const res = await ask(withPrototypeKeys({ email: KNOWN }));
    expect(res.status).toBe(200);
    expect(res.text).toContain(LINK_SENT);
    expect((await mails()).length).toBe(before + 1);
    await expectMailOnlyToKnown();
    expectNotPolluted();
  });
});

describe('POST /c/:slug/my-link/use', () => {
  const EMAIL = 'dung-lien-ket@example.vn';
  let uc: ContestRow;
  let entry: { id: number; code: string };
  let token: string;
  let otherToken: string;
  let expired: string;
  const hashOf = (t: string) => createHash('sha256').update(t).digest('hex');
  /** A link as the mail carries it (the database keeps only the hash). */
  async function linkFor(c: ContestRow, minutes = 30): Promise<string> {
    const t = randomBytes(32).toString('base64url');
    await insertSignInLink(db.pool, { contestId: c.id, email: EMAIL, entryId: null, tokenHash: hashOf(t), minutes });
    return t;
  }
  const usedAt = async (t: string) => (await one<{ used_at: Date | null }>(db.pool, 'SELECT used_at FROM entrant_sign_in_links WHERE token_hash = $1', [hashOf(t)])).used_at;
  const swapCase = (t: string) => t.replace(/[a-z]/gi, (ch) => (ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase()));
  async function use(agent: TestAgent, slug: string, body: Body) {
    return post(agent, `/c/${slug}/my-link/use`, await tokenFor(agent, `/c/${uc.slug}/my`), body);
  }

  beforeAll(async () => {
    uc = await createContest(db, { code_prefix: 'HSL' });
    const other = await createContest(db, { code_prefix: 'HSO' });
    entry = await createEntry(db, uc, { email: EMAIL });
    await createEntry(db, other, { email: EMAIL });
    token = await linkFor(uc);
    otherToken = await linkFor(other);
    expired = await linkFor(uc, -1);
  });

  test.each([
    ['no token', () => ({})],
    ['an empty token', () => ({ token: '' })],
    ['a token one character short', () => ({ token: token.slice(0, -1) })],
    ['a token one character long', () => ({ token: `${token}A` })],
    ['a token with a line break after it', () => ({ token: `${token}\n` })],
    ['a token with a NUL after it', () => ({ token: `${token}\u0000` })],
    ['a token with an RTL override in it', () => ({ token: `${token.slice(0, 20)}\u202E${token.slice(21)}` })],
    ['a token in SQL', () => ({ token: "' OR '1'='1" })],
    ['a token with SQL after it', () => ({ token: `${token}' OR '1'='1` })],
    ['a token of LIKE wildcards in the token alphabet', () => ({ token: '_'.repeat(43) })],
    ['a token template', () => ({ token: '<%= 7*7 %>' })],
    ['the token in the other case', () => ({ token: swapCase(token) })],
    ['an over-long token', () => ({ token: overLong(5000) })],
    ['the token twice as a repeated form key', () => formOf({ token: [token, token] })],
    ['the token in a JSON array', () => ({ token: [token] })],
    ['a token object', () => ({ token: { $ne: null } })],
    ['a token object with the token as its toString', () => ({ token: { toString: token } })],
    ['a number', () => ({ token: 1 })],
    ["another contest's token", () => ({ token: otherToken })],
    ['an expired token', () => ({ token: expired })],
  ] as [string, () => Body][])('%s answers "used or expired" (410), consumes nothing, opens nothing', async (_, body) => {
    const agent = request.agent(app);
    const res = await use(agent, uc.slug, body());
    expect(res.status).toBe(410);
    expect(res.text).toContain(LINK_USED);
    expect(await usedAt(token)).toBeNull();
    expect(await usedAt(otherToken)).toBeNull();
    expect((await agent.get(`/c/${uc.slug}/my/${entry.code}`)).status).toBe(404);
  });

  test.each([['no-such-contest'], ["' OR '1'='1"], ['<script>']])('a good token under the contest slug %j is a 404, not consumed', async (slug) => {
    const agent = request.agent(app);
    const res = await use(agent, encodeURIComponent(slug), { token });
    expect(res.status).toBe(404);
    expect(await usedAt(token)).toBeNull();
  });

  test('prototype keys do not pollute; the link is used once, and the untouched link still works after the table', async () => {
    const fresh = await linkFor(uc);
    const agent = request.agent(app);
    const res = await use(agent, uc.slug, withPrototypeKeys({ token: fresh }));
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/c/${uc.slug}/my/${entry.code}`);
    expect(await usedAt(fresh)).not.toBeNull();
    expectNotPolluted();
    expect((await use(request.agent(app), uc.slug, { token: fresh })).status).toBe(410);
    // The link every hostile body above missed was still good all along.
    const owner = request.agent(app);
    expect((await use(owner, uc.slug, { token })).status).toBe(303);
    expect((await owner.get(`/c/${uc.slug}/my/${entry.code}`)).status).toBe(200);
  });
});
