import type { Express } from 'express';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { one, rows, withTransaction } from '../../../src/db';
import { openRound } from '../../../src/judging/service';
import { agentAs, csrfFrom, login, makeApp, tokenFor } from '../../helpers/app';
import { resetDb, testConfig, testDb } from '../../helpers/db';
import { createContest, createEntry, createStaff, TEST_PASSWORD } from '../../helpers/factories';
import { createJudgingRound } from '../../helpers/factories/judging';
import { CONTROL_CHARS_MESSAGE, REFUSED, STORED_VERBATIM, escapedHtml, expectNotPolluted, outcome, overLong, withPrototypeKeys } from '../../helpers/hostile';

/**
 * Hostile input against judging: screening decisions (one by one and in bulk) and reasons, round
 * set-up, criteria and weights, the panel, conflicts, and the judge's scoresheet (form and
 * autosave JSON). Each describe is named after its route (the coverage test reads the names).
 */
const db = testDb();
let app: Express;
let org: TestAgent;
const actor = { id: null, label: 'hostile' };
const INVALID = 'Giá trị không hợp lệ.';
const FORM_ERRORS = 'Vui lòng sửa các lỗi bên dưới.';
const NFC = (s: string) => s.trim().normalize('NFC');

beforeAll(async () => {
  await resetDb(db.pool);
  app = makeApp(db, testConfig());
  org = (await agentAs(app, db, 'organiser')).agent;
});
afterAll(() => db.close());

/** Posts as the organiser: a form, or raw JSON when `body` is a string or holds objects. */
async function post(agent: TestAgent, url: string, body: Record<string, unknown> | string, tokenPage = '/staff') {
  const token = await tokenFor(agent, tokenPage);
  if (typeof body === 'string') return agent.post(url).set('x-csrf-token', token).type('json').send(body);
  const json = Object.values(body).some((v) => v !== null && typeof v === 'object' && !Array.isArray(v));
  return agent.post(url).type(json ? 'json' : 'form').send({ _csrf: token, ...body });
}
const fingerprint = async (sql: string, params: unknown[] = []) => JSON.stringify(await rows(db.pool, sql, params));
const no5xx = (status: number) => expect(status).toBeLessThan(500);

describe('POST /organiser/contests/:slug/screening/reasons', () => {
  let contest: { id: number; slug: string };
  const url = () => `/organiser/contests/${contest.slug}/screening/reasons`;
  const reasons = () => fingerprint('SELECT label FROM screening_reasons WHERE contest_id = $1 ORDER BY id', [contest.id]);
  beforeAll(async () => {
    contest = await createContest(db, { code_prefix: 'HSR' });
  });

  test.each(STORED_VERBATIM.map((s) => [s]))('the label %j is stored verbatim and shown escaped', async (label) => {
    const res = await post(org, url(), { label });
    expect(res.status).toBe(303);
    expect(await one(db.pool, 'SELECT label FROM screening_reasons WHERE contest_id = $1 AND label = $2', [contest.id, NFC(label)])).toEqual({ label: NFC(label) });
    const page = await org.get(`/organiser/contests/${contest.slug}/screening`);
    expect(page.text).toContain(escapedHtml(NFC(label)));
    if (label.includes('<')) expect(page.text).not.toContain(label);
  });

  test.each([
    ...Object.entries(REFUSED).map(([k, v]) => [`a label with ${k}`, v, CONTROL_CHARS_MESSAGE]),
    ['an over-long label', overLong(201), INVALID],
    ['an array', ['a', 'b'], INVALID],
    ['an object', { $ne: null }, INVALID],
  ] as [string, unknown, string][])('%s is refused with a message, nothing stored', async (_, label, message) => {
    const before = await reasons();
    const res = await post(org, url(), { label });
    const o = await outcome(org, res);
    expect(o.status).toBe(303);
    expect(o.text).toContain('flash-error');
    expect(o.text).toContain(message);
    expect(await reasons()).toBe(before);
  });

  test('prototype keys do not pollute and add nothing', async () => {
    const before = await reasons();
    const res = await post(org, url(), withPrototypeKeys({ label: '' }));
    no5xx(res.status);
    expect(await reasons()).toBe(before);
    expectNotPolluted();
  });
});

describe('POST /organiser/contests/:slug/screening/decide', () => {
  let contest: { id: number; slug: string; code_prefix: string };
  let reasonId: number;
  const url = () => `/organiser/contests/${contest.slug}/screening/decide`;
  const statuses = () => fingerprint('SELECT id, status, screening_note FROM entries WHERE contest_id = $1 ORDER BY id', [contest.id]);
  beforeAll(async () => {
    contest = await createContest(db, { code_prefix: 'HSD' });
    reasonId = (await one<{ id: number }>(db.pool, `INSERT INTO screening_reasons (contest_id, label, position) VALUES ($1, 'Thiếu hashtag', 1) RETURNING id`, [contest.id])).id;
    for (let i = 0; i < 3; i++) await createEntry(db, contest, { title: `Giữ nguyên ${i}` });
  });

  test.each(STORED_VERBATIM.map((s) => [s]))('the note %j is stored verbatim and shown escaped', async (note) => {
    const e = await createEntry(db, contest);
    const res = await post(org, url(), { decision: 'not_eligible', reasonId: String(reasonId), note, ids: String(e.id), scope: 'selected' });
    expect(res.status).toBe(303);
    expect(await one(db.pool, 'SELECT status, screening_note FROM entries WHERE id = $1', [e.id])).toEqual({ status: 'not_eligible', screening_note: NFC(note) });
    const page = await org.get(`/organiser/contests/${contest.slug}/screening?status=not_eligible`);
    expect(page.text).toContain(escapedHtml(NFC(note)));
    if (note.includes('<')) expect(page.text).not.toContain(note);
  });

  const bad: [string, Record<string, unknown>, string][] = [
    ...Object.entries(REFUSED).map(([k, note]): [string, Record<string, unknown>, string] => [`a note with ${k}`, { decision: 'eligible', note, ids: 'ALL' }, CONTROL_CHARS_MESSAGE]),
    ['an over-long note', { decision: 'eligible', note: overLong(2001) }, INVALID],
    ['SQL as the decision', { decision: "eligible' OR '1'='1" }, INVALID],
    ['two decisions', { decision: ['eligible', 'shortlisted'] }, INVALID],
    ['a decision object', { decision: { $ne: null } }, INVALID],
    ['SQL as an id', { decision: 'eligible', ids: '1) OR (1=1' }, INVALID],
    ['an id past bigint', { decision: 'eligible', ids: '99999999999999999999999' }, INVALID],
    ['1,001 ids', { decision: 'eligible', ids: { json: Array.from({ length: 1001 }, (_, i) => String(i + 1)) } }, INVALID],
    ['SQL as the reason', { decision: 'not_eligible', reasonId: '1; DELETE FROM entries' }, INVALID],
    ['a reason of another contest', { decision: 'not_eligible', reasonId: '999999' }, INVALID],
    ['an unknown scope', { decision: 'eligible', scope: 'everything' }, INVALID],
  ];
  test.each(bad)('%s is refused with a message, no entry changes', async (_, body, message) => {
    const all = (await rows<{ id: number }>(db.pool, 'SELECT id FROM entries WHERE contest_id = $1', [contest.id])).map((r) => String(r.id));
    const before = await statuses();
    const ids = body.ids === 'ALL' || body.ids === undefined ? all : body.ids;
    // `{ json: [...] }` sends the body as JSON (a form cannot carry 1,001 fields: see below).
    const json = (ids as { json?: unknown }).json;
    const res = await post(org, url(), json ? JSON.stringify({ scope: 'selected', ...body, ids: json }) : { scope: 'selected', ...body, ids });
    const o = await outcome(org, res);
    expect(o.status).toBe(303);
    expect(o.text).toContain(message);
    expect(await statuses()).toBe(before);
  });

  test('a form with more fields than the parser takes (1,001 ids) is a 413 with a message, nothing changed', async () => {
    const before = await statuses();
    const res = await post(org, url(), { decision: 'eligible', scope: 'selected', ids: Array.from({ length: 1001 }, (_, i) => String(i + 1)) });
    expect(res.status).toBe(413);
    expect(res.text).toContain('Biểu mẫu gửi quá nhiều trường.');
    expect(await statuses()).toBe(before);
  });

  test('a bulk decision on a hostile filter touches only what the filter matches', async () => {
    const before = await statuses();
    const res = await post(org, url(), { decision: 'eligible', scope: 'filtered', status: 'received', q: "' OR '1'='1" });
    const o = await outcome(org, res);
    expect(o.text).toContain('flash-success');
    expect(await statuses()).toBe(before);
  });

  test('prototype keys do not pollute', async () => {
    const e = await createEntry(db, contest);
    const res = await post(org, url(), withPrototypeKeys({ decision: 'eligible', ids: [String(e.id)], scope: 'selected' }));
    expect(res.status).toBe(303);
    expect((await one<{ status: string }>(db.pool, 'SELECT status FROM entries WHERE id = $1', [e.id])).status).toBe('eligible');
    expectNotPolluted();
  });
});

describe('GET /organiser/contests/:slug/screening', () => {
  test.each([["' OR '1'='1"], ['<script>alert(1)</script>'], [overLong(1000)], ['%00']])('the search %# is shown escaped, never a 500', async (q) => {
    const c = await createContest(db, { code_prefix: `HSQ${q.length % 100}` });
    const page = await org.get(`/organiser/contests/${c.slug}/screening`).query({ q, status: ['any', 'x'], page: '1e400', category: '-1' });
    expect(page.status).toBe(200);
    if (q.includes('<')) expect(page.text).not.toContain(q);
  });
});

describe('POST /organiser/contests/:slug/rounds', () => {
  let contest: { id: number; slug: string };
  const url = () => `/organiser/contests/${contest.slug}/rounds`;
  const count = async () => (await one<{ n: number }>(db.pool, 'SELECT count(*)::int AS n FROM rounds WHERE contest_id = $1', [contest.id])).n;
  const round = (o: Record<string, unknown> = {}) => ({ name: 'Vòng hợp lệ', kind: 'scoring', entrySource: 'all_eligible', blind: 'on', othersScores: 'after_own', assignmentMode: 'all', judgesPerEntry: '', deadlineAt: '', ...o });
  beforeAll(async () => {
    contest = await createContest(db, { code_prefix: 'HRS', state: 'judging' });
    await db.pool.query(`INSERT INTO categories (contest_id, name, position) VALUES ($1, 'Cộng đồng', 1)`, [contest.id]);
  });

  test.each(STORED_VERBATIM.map((s) => [s]))('the name %j is stored verbatim and shown escaped', async (name) => {
    const res = await post(org, url(), round({ name }));
    expect(res.status).toBe(303);
    const r = await one<{ id: number; name: string }>(db.pool, 'SELECT id, name FROM rounds WHERE contest_id = $1 ORDER BY id DESC LIMIT 1', [contest.id]);
    expect(r.name).toBe(NFC(name));
    for (const page of [`/organiser/rounds/${r.id}`, url()]) {
      const html = (await org.get(page)).text;
      expect(html).toContain(escapedHtml(NFC(name)));
      if (name.includes('<')) expect(html).not.toContain(name);
    }
  });

  const bad: [string, Record<string, unknown>, string][] = [
    ...Object.entries(REFUSED).map(([k, name]): [string, Record<string, unknown>, string] => [`a name with ${k}`, { name }, 'name']),
    ['an over-long name', { name: overLong(121) }, 'name'],
    ['two names', { name: ['a', 'b'] }, 'name'],
    ['a kind in SQL', { kind: "scoring'; DROP TABLE rounds; --" }, 'kind'],
    ['an object as the kind', { kind: { $ne: null } }, 'kind'],
    ['judges per entry past the limit', { assignmentMode: 'n_per_entry', judgesPerEntry: '1e400' }, 'judgesPerEntry'],
    ['judges per entry as an array', { assignmentMode: 'n_per_entry', judgesPerEntry: ['2', '3'] }, 'judgesPerEntry'],
    ['a deadline that is no date', { deadlineAt: "2026-13-45'; --" }, 'deadlineAt'],
    ['a deadline before the calendar', { deadlineAt: '-100000-01-01T00:00:00Z' }, 'deadlineAt'],
    ['a category in SQL', { categoryId: '1 OR 1=1' }, 'categoryId'],
    ['a category past bigint', { categoryId: '99999999999999999999' }, 'categoryId'],
  ];
  test.each(bad)('%s is refused with 422 and the field marked, nothing stored', async (_, body, field) => {
    const before = await count();
    const res = await post(org, url(), round({ name: 'Giữ lại tên này', ...body }));
    expect(res.status).toBe(422);
    expect(res.text).toContain(`aria-describedby="f-${field}-err"`);
    if (Object.values(REFUSED).includes(body.name as string)) expect(res.text).toContain(CONTROL_CHARS_MESSAGE);
    if (!('name' in body)) expect(res.text).toContain('Giữ lại tên này');
    expect(await count()).toBe(before);
  });

  test('prototype keys do not pollute', async () => {
    const before = await count();
    const res = await post(org, url(), withPrototypeKeys(round({ name: 'Nguyên mẫu' })));
    expect(res.status).toBe(303);
    expect(await count()).toBe(before + 1);
    expectNotPolluted();
  });
});

describe('POST /organiser/contests/:slug/conflicts', () => {
  let contest: { id: number; slug: string; code_prefix: string };
  let judgeId: number;
  const url = () => `/organiser/contests/${contest.slug}/conflicts`;
  const conflicts = () => fingerprint('SELECT judge_id, entry_id, organisation, reason FROM conflicts WHERE contest_id = $1 ORDER BY id', [contest.id]);
  beforeAll(async () => {
    contest = await createContest(db, { code_prefix: 'HCF', state: 'judging' });
    judgeId = (await createStaff(db, { role: 'judge' })).id;
  });

  test.each(STORED_VERBATIM.map((s) => [s]))('the organisation and reason %j are stored verbatim and shown escaped', async (text) => {
    const res = await post(org, url(), { judgeId: String(judgeId), organisation: text, reason: text });
    expect((await outcome(org, res)).text).toContain('flash-success');
    expect(await one(db.pool, 'SELECT organisation, reason FROM conflicts WHERE contest_id = $1 ORDER BY id DESC LIMIT 1', [contest.id])).toEqual({ organisation: NFC(text), reason: NFC(text) });
    const page = (await org.get(`/organiser/contests/${contest.slug}/rounds`)).text;
    expect(page).toContain(escapedHtml(NFC(text)));
    if (text.includes('<')) expect(page).not.toContain(text);
  });

  const bad: [string, Record<string, unknown>, string][] = [
    ...Object.entries(REFUSED).map(([k, s]): [string, Record<string, unknown>, string] => [`an organisation with ${k}`, { organisation: s }, CONTROL_CHARS_MESSAGE]),
    ['a reason with an RTL override', { organisation: 'Công ty A', reason: REFUSED.rtlOverride }, CONTROL_CHARS_MESSAGE],
    ['an over-long reason', { organisation: 'Công ty A', reason: overLong(1001) }, INVALID],
    ['an over-long organisation', { organisation: overLong(201) }, INVALID],
    ['an entry code in SQL', { entryCode: "X' OR '1'='1" }, 'Không có bài với mã này.'],
    ['an array of organisations', { organisation: ['A', 'B'] }, INVALID],
    ['a judge in SQL', { judgeId: '1 OR 1=1', organisation: 'Công ty A' }, INVALID],
    ['a judge past bigint', { judgeId: '99999999999999999999', organisation: 'Công ty A' }, INVALID],
    ['a judge who does not exist', { judgeId: '999999', organisation: 'Công ty A' }, 'Tài khoản này không phải giám khảo.'],
    ['an organiser as the judge', { judgeId: 'ORGANISER', organisation: 'Công ty A' }, 'Tài khoản này không phải giám khảo.'],
  ];
  test.each(bad)('%s is refused with a message, nothing stored', async (_, body, message) => {
    const before = await conflicts();
    const organiserId = (await one<{ id: number }>(db.pool, `SELECT id FROM users WHERE role = 'organiser' LIMIT 1`)).id;
    const res = await post(org, url(), { ...body, judgeId: body.judgeId === 'ORGANISER' ? String(organiserId) : (body.judgeId ?? String(judgeId)) });
    const o = await outcome(org, res);
    expect(o.status).toBe(303);
    expect(o.text).toContain('flash-error');
    expect(o.text).toContain(message);
    expect(await conflicts()).toBe(before);
  });

  test('prototype keys do not pollute', async () => {
    const res = await post(org, url(), withPrototypeKeys({ judgeId: String(judgeId), organisation: 'Nguyên mẫu' }));
    expect(res.status).toBe(303);
    expectNotPolluted();
  });
});

describe('POST /organiser/rounds/:roundId/criteria', () => {
  let roundId: number;
  const url = () => `/organiser/rounds/${roundId}/criteria`;
  const criteria = () => fingerprint('SELECT name, description, weight, scale_min, scale_max, step FROM criteria WHERE round_id = $1 ORDER BY id', [roundId]);
  const criterion = (o: Record<string, unknown> = {}) => ({ name: 'Ý tưởng', description: '', weight: '25', scaleMin: '1', scaleMax: '10', step: '1', ...o });
  beforeAll(async () => {
    roundId = (await createJudgingRound(db, { judges: 1, entries: 1 })).roundId;
  });

  test.each(STORED_VERBATIM.map((s) => [s]))('the name and description %j are stored verbatim and shown escaped', async (text) => {
    const res = await post(org, url(), criterion({ name: text, description: text }));
    expect((await outcome(org, res)).text).toContain('flash-success');
    expect(await one(db.pool, 'SELECT name, description FROM criteria WHERE round_id = $1 ORDER BY id DESC LIMIT 1', [roundId])).toEqual({ name: NFC(text), description: NFC(text) });
    const page = (await org.get(`/organiser/rounds/${roundId}`)).text;
    expect(page).toContain(escapedHtml(NFC(text)));
    if (text.includes('<')) expect(page).not.toContain(text);
  });

  const bad: [string, Record<string, unknown>, string][] = [
    ...Object.entries(REFUSED).map(([k, s]): [string, Record<string, unknown>, string] => [`a name with ${k}`, { name: s }, CONTROL_CHARS_MESSAGE]),
    ['a description with a bell', { description: REFUSED.bell }, CONTROL_CHARS_MESSAGE],
    ['an over-long name', { name: overLong(121) }, INVALID],
    ['an over-long description', { description: overLong(2001) }, INVALID],
    ['a weight of Infinity', { weight: '1e400' }, INVALID],
    ['a weight of NaN', { weight: 'NaN' }, INVALID],
    ['a negative weight', { weight: '-5' }, 'Trọng số'],
    ['a weight past the limit', { weight: '1000' }, 'Trọng số'],
    ['two weights', { weight: ['5', '6'] }, INVALID],
    ['a weight object', { weight: { $gt: 0 } }, INVALID],
    ['a weight in SQL', { weight: '5); DROP TABLE criteria; --' }, INVALID],
    ['a scale upside down', { scaleMin: '10', scaleMax: '1' }, 'thang'],
    ['a scale past the column', { scaleMax: '100000' }, INVALID],
    ['a scale below the column', { scaleMin: '-100000' }, INVALID],
    ['a step of zero', { step: '0' }, INVALID],
    ['a step past the column', { step: '1e9' }, INVALID],
  ];
  test.each(bad)('%s is refused with a message, nothing stored', async (_, body, message) => {
    const before = await criteria();
    const res = await post(org, url(), criterion(body));
    const o = await outcome(org, res);
    expect(o.status).toBe(303);
    expect(o.text).toContain('flash-error');
    expect(o.text.toLowerCase()).toContain(message.toLowerCase());
    expect(await criteria()).toBe(before);
  });

  test('prototype keys do not pollute', async () => {
    const res = await post(org, url(), withPrototypeKeys(criterion({ name: 'Nguyên mẫu' })));
    expect(res.status).toBe(303);
    expectNotPolluted();
  });
});

describe('POST /organiser/rounds/:roundId/judges', () => {
  let roundId: number;
  let organiserId: number;
  const panel = () => fingerprint('SELECT judge_id FROM round_judges WHERE round_id = $1 ORDER BY judge_id', [roundId]);
  beforeAll(async () => {
    roundId = (await createJudgingRound(db, { judges: 1, entries: 1 })).roundId;
    organiserId = (await createStaff(db, { role: 'organiser' })).id;
  });

  test.each([
    ['SQL', '1 OR 1=1'],
    ['a number past bigint', '99999999999999999999'],
    ['two judges', ['1', '2']],
    ['an object', { $ne: null }],
    ['a NUL', REFUSED.nul],
    ['an organiser, not a judge', 'ORGANISER'],
    ['nobody', '999999'],
  ] as [string, unknown][])('%s as the judge is refused with a message, the panel unchanged', async (_, judgeId) => {
    const before = await panel();
    const res = await post(org, `/organiser/rounds/${roundId}/judges`, { judgeId: judgeId === 'ORGANISER' ? String(organiserId) : judgeId });
    const o = await outcome(org, res);
    expect(o.status).toBe(303);
    expect(o.text).toContain('flash-error');
    expect(await panel()).toBe(before);
  });

  test('prototype keys do not pollute', async () => {
    no5xx((await post(org, `/organiser/rounds/${roundId}/judges`, withPrototypeKeys({ judgeId: String(organiserId) }))).status);
    expectNotPolluted();
  });
});

describe('POST /organiser/rounds/:roundId/assignments/:assignmentId/move', () => {
  test.each([
    ['SQL', '1 OR 1=1'],
    ['a number past bigint', '99999999999999999999'],
    ['two judges', ['1', '2']],
    ['a judge off the panel', '999999'],
  ] as [string, unknown][])('%s as the new judge is refused with a message, the assignment stays', async (_, judgeId) => {
    const f = await createJudgingRound(db, { judges: 2, entries: 1, mode: 'n_per_entry', n: 1 });
    await withTransaction(db.pool, (tx) => openRound(tx, f.roundId, actor));
    const a = await one<{ id: number; judge_id: number }>(db.pool, 'SELECT id, judge_id FROM assignments WHERE round_id = $1', [f.roundId]);
    const res = await post(org, `/organiser/rounds/${f.roundId}/assignments/${a.id}/move`, { judgeId });
    const o = await outcome(org, res);
    expect(o.status).toBe(303);
    expect(o.text).toContain('flash-error');
    expect(await one(db.pool, 'SELECT id, judge_id FROM assignments WHERE round_id = $1', [f.roundId])).toEqual(a);
  });
});

describe('POST /organiser/rounds/:roundId/close', () => {
  test.each([[['on', 'off']], [{ $ne: null }], ["on' OR 1=1"]])('force=%j is read as "not forced": the round with missing scoresheets stays open', async (force) => {
    const f = await createJudgingRound(db, { judges: 1, entries: 1 });
    await withTransaction(db.pool, (tx) => openRound(tx, f.roundId, actor));
    const res = await post(org, `/organiser/rounds/${f.roundId}/close`, { force });
    expect((await outcome(org, res)).text).toContain('flash-error');
    expect((await one<{ state: string }>(db.pool, 'SELECT state FROM rounds WHERE id = $1', [f.roundId])).state).toBe('open');
  });
});

/** An open round with one judge signed in; `entries` entries, each on the judge's queue. */
async function openForJudge(entries: number) {
  const f = await createJudgingRound(db, { judges: 1, entries });
  await withTransaction(db.pool, (tx) => openRound(tx, f.roundId, actor));
  const judge = request.agent(app);
  await login(judge, f.judges[0]!.email, TEST_PASSWORD);
  return { ...f, judge };
}

describe('POST /judging/rounds/:roundId/entries/:code', () => {
  let f: Awaited<ReturnType<typeof openForJudge>>;
  let n = 0;
  const sheets = () => fingerprint('SELECT entry_id, status, version, comment FROM scoresheets WHERE round_id = $1 ORDER BY id', [f.roundId]);
  beforeAll(async () => {
    f = await openForJudge(STORED_VERBATIM.length + 1);
  });
  const url = (i: number) => `/judging/rounds/${f.roundId}/entries/${f.entries[i]!.code}`;

  test.each(STORED_VERBATIM.map((s) => [s]))('the comment %j is stored verbatim and shown escaped to the judge and the organiser', async (comment) => {
    const i = n++;
    const token = csrfFrom((await f.judge.get(url(i))).text);
    const res = await f.judge.post(url(i)).type('form').send({ _csrf: token, version: '0', action: 'draft', [`score_${f.criteria[0]}`]: '7', comment });
    expect(res.status).toBe(303);
    const sheet = await one<{ id: number; comment: string }>(db.pool, 'SELECT id, comment FROM scoresheets WHERE round_id = $1 AND entry_id = $2', [f.roundId, f.entries[i]!.id]);
    expect(sheet.comment).toBe(NFC(comment));
    for (const [agent, page] of [[f.judge, url(i)], [org, `/organiser/rounds/${f.roundId}/scoresheets/${sheet.id}`]] as const) {
      const html = (await agent.get(page)).text;
      expect(html).toContain(escapedHtml(NFC(comment)));
      if (comment.includes('<')) expect(html).not.toContain(comment);
    }
  });

  const last = () => f.entries.length - 1;
  const bad: [string, Record<string, unknown>, string][] = [
    ...Object.entries(REFUSED).map(([k, comment]): [string, Record<string, unknown>, string] => [`a comment with ${k}`, { comment }, CONTROL_CHARS_MESSAGE]),
    ['an over-long comment', { comment: overLong(5001) }, INVALID],
    ['two comments', { comment: ['a', 'b'] }, INVALID],
    ['a score of NaN', { score: 'NaN' }, 'thang'],
    ['a score of Infinity', { score: 'Infinity' }, 'thang'],
    ['a score past the scale', { score: '1e400' }, 'thang'],
    ['a score in SQL', { score: "7'; DROP TABLE scores; --" }, 'thang'],
    ['two scores for one criterion', { score: ['7', '8'] }, 'thang'],
    // Hidden fields a person never types: the form says only that something is wrong.
    ['a version in words', { version: 'zero' }, FORM_ERRORS],
    ['a negative version', { version: '-1' }, FORM_ERRORS],
    ['an unknown action', { action: 'publish' }, FORM_ERRORS],
    ['an unknown verdict', { verdict: "eligible' --" }, FORM_ERRORS],
  ];
  test.each(bad)('%s is refused with 422 and a message, nothing stored', async (_, body, message) => {
    const before = await sheets();
    const token = csrfFrom((await f.judge.get(url(last()))).text);
    const { score, ...rest } = body;
    const res = await f.judge.post(url(last())).type('form').send({ _csrf: token, version: '0', action: 'draft', [`score_${f.criteria[0]}`]: score ?? '7', comment: '', ...rest });
    expect(res.status).toBe(422);
    expect(res.text).toContain(FORM_ERRORS);
    expect(res.text.toLowerCase()).toContain(message.toLowerCase());
    if ('comment' in body) expect(res.text).toContain('aria-describedby="jd-comment-err"');
    expect(await sheets()).toBe(before);
  });

  test('score fields with odd names are ignored, not stored', async () => {
    const before = await sheets();
    const token = csrfFrom((await f.judge.get(url(last()))).text);
    const res = await f.judge.post(url(last())).type('form').send({ _csrf: token, version: '0', action: 'submit', score_1234567890123456789: '5', 'score_1 OR 1=1': '5', score___proto__: '5' });
    expect(res.status).toBe(422);
    expect(await sheets()).toBe(before);
  });
});

describe('POST /api/v1/judging/rounds/:roundId/entries/:code/scoresheet', () => {
  let f: Awaited<ReturnType<typeof openForJudge>>;
  let token: string;
  const sheets = () => fingerprint('SELECT entry_id, status, version, comment FROM scoresheets WHERE round_id = $1 ORDER BY id', [f.roundId]);
  const api = (i: number) => `/api/v1/judging/rounds/${f.roundId}/entries/${f.entries[i]!.code}/scoresheet`;
  beforeAll(async () => {
    f = await openForJudge(STORED_VERBATIM.length + 2);
    token = csrfFrom((await f.judge.get(`/judging/rounds/${f.roundId}/entries/${f.entries[0]!.code}`)).text);
  });
  const send = (i: number, body: unknown) => f.judge.post(api(i)).set('x-csrf-token', token).type('json').send(typeof body === 'string' ? body : JSON.stringify(body));

  test.each(STORED_VERBATIM.map((s, i) => [s, i]))('the comment %j is stored verbatim and answered as JSON', async (comment, i) => {
    const res = await send(i, { scores: { [f.criteria[0]!]: 5 }, comment, version: 0, action: 'autosave' });
    expect(res.status).toBe(200);
    expect((await one<{ comment: string }>(db.pool, 'SELECT comment FROM scoresheets WHERE round_id = $1 AND entry_id = $2', [f.roundId, f.entries[i]!.id])).comment).toBe(NFC(comment));
    const json = await f.judge.get(`/api/v1/judging/rounds/${f.roundId}/entries/${f.entries[i]!.code}`);
    expect(json.body.sheet.comment).toBe(NFC(comment));
  });

  const c = () => String(f.criteria[0]);
  const bad: [string, () => unknown, string][] = [
    ...Object.entries(REFUSED).map(([k, comment]): [string, () => unknown, string] => [`a comment with ${k}`, () => ({ scores: {}, comment, version: 0 }), 'comment']),
    ['an over-long comment', () => ({ scores: {}, comment: overLong(5001), version: 0 }), 'comment'],
    ['the scores as an array', () => ({ scores: [5, 6], version: 0 }), 'scores'],
    ['the scores as a string', () => ({ scores: "{'1': 5}", version: 0 }), 'scores'],
    ['a score key in SQL', () => ({ scores: { '1 OR 1=1': 5 }, version: 0 }), 'scores'],
    ['a score as an object', () => ({ scores: { [c()]: { $gt: 0 } }, version: 0 }), 'scores'],
    ['a score as an array', () => ({ scores: { [c()]: [5, 6] }, version: 0 }), 'scores'],
    ['a score of 1e400', () => '{"scores":{"' + c() + '":1e400},"version":0}', 'scores'],
    ['a comment as an array', () => ({ scores: {}, comment: ['a'], version: 0 }), 'comment'],
    ['a version in SQL', () => ({ scores: {}, version: '0; DROP TABLE scoresheets' }), 'version'],
    ['an action array', () => ({ scores: {}, version: 0, action: ['submit', 'draft'] }), 'action'],
    ['a body that is an array', () => [{ scores: {}, version: 0 }], '_form'],
    ['a body that is a string', () => '"hello"', '_'],
    ['broken JSON', () => '{"scores": {', '_body'],
  ];
  test.each(bad)('%s is a 422 naming the field, nothing stored', async (_, body, field) => {
    const i = f.entries.length - 1;
    const before = await sheets();
    const res = await send(i, body());
    expect(res.status).toBe(422);
    expect(res.body.error).toBe('validation_failed');
    expect(Object.keys(res.body.errors).join(' ')).toContain(field);
    expect(await sheets()).toBe(before);
  });

  test('a prototype key among the scores or the body is dropped and pollutes nothing', async () => {
    const i = f.entries.length - 2;
    const res = await send(i, `{"scores":{"__proto__":{"polluted":true},"${c()}":5},"version":0}`);
    expect(res.status).toBe(200);
    const stored = await rows(db.pool, 'SELECT s.criterion_id::text AS c, s.value::float8 AS v FROM scores s JOIN scoresheets h ON h.id = s.scoresheet_id WHERE h.round_id = $1 AND h.entry_id = $2', [f.roundId, f.entries[i]!.id]);
    expect(stored).toEqual([{ c: c(), v: 5 }]);
    const ok = await send(i, withPrototypeKeys({ scores: { [c()]: 6 }, comment: 'Nguyên mẫu', version: 1, action: 'autosave' }));
    expect(ok.status).toBe(200);
    expectNotPolluted();
  });
});

describe('POST /judging/rounds/:roundId/entries/:code/conflict', () => {
  let f: Awaited<ReturnType<typeof openForJudge>>;
  let n = 0;
  beforeAll(async () => {
    f = await openForJudge(3);
  });
  const url = () => `/judging/rounds/${f.roundId}/entries/${f.entries[n]!.code}/conflict`;
  const conflicts = () => fingerprint('SELECT entry_id, reason FROM conflicts WHERE contest_id = $1 ORDER BY id', [f.contest.id]);

  test.each([
    ...Object.entries(REFUSED).map(([k, v]) => [`a reason with ${k}`, v]),
    ['an over-long reason', overLong(1001)],
    ['two reasons', ['a', 'b']],
    ['a reason object', { $ne: null }],
  ] as [string, unknown][])('%s is refused with a message, no conflict stored', async (_, reason) => {
    const before = await conflicts();
    const res = await post(f.judge, url(), { reason }, '/judging');
    const o = await outcome(f.judge, res);
    expect(o.status).toBe(303);
    expect(o.text).toContain('flash-error');
    expect(await conflicts()).toBe(before);
  });

  test.each(STORED_VERBATIM.slice(0, 2).map((s) => [s]))('the reason %j is stored verbatim and shown escaped to the organiser', async (reason) => {
    const entryId = f.entries[n]!.id;
    const res = await post(f.judge, url(), withPrototypeKeys({ reason }), '/judging');
    n += 1;
    expect(res.status).toBe(303);
    expectNotPolluted();
    expect(await one(db.pool, 'SELECT reason FROM conflicts WHERE entry_id = $1', [entryId])).toEqual({ reason: NFC(reason) });
    const page = (await org.get(`/organiser/contests/${f.contest.slug}/rounds`)).text;
    expect(page).toContain(escapedHtml(NFC(reason)));
  });
});
