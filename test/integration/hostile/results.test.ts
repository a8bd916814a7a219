import type { Express } from 'express';
import type TestAgent from 'supertest/lib/agent';
import { one, rows } from '../../../src/db';
import type { ContestRow } from '../../../src/contests/queries';
import { agentAs, makeApp, tokenFor } from '../../helpers/app';
import { resetDb, testConfig, testDb } from '../../helpers/db';
import { createEntry, createStaff } from '../../helpers/factories';
import { addResultsScoresheet, createResultsContest, createResultsPrizeTier, createResultsRound, type ResultsRound } from '../../helpers/factories/results';
import { CONTROL_CHARS_MESSAGE, REFUSED, STORED_VERBATIM, escapedHtml, expectNotPolluted, outcome, overLong, withPrototypeKeys } from '../../helpers/hostile';

/**
 * Hostile input against results and winners: the ranking's options (query string), tie
 * decisions, promotion, suggestions, prize overrides (add, replace, remove), publish and
 * unpublish reasons, and the exports' query strings. Each describe is named after its route.
 */
const db = testDb();
let app: Express;
let org: TestAgent;
let contest: ContestRow;
let round: ResultsRound;
let tierId: number;
const entries: { id: number; code: string }[] = [];
let base: string;
const INVALID = 'Giá trị không hợp lệ.';
const REASON_REQUIRED = 'Cần ghi lý do.';
const NOT_FOUND = 'Không tìm thấy bài với mã này.';

beforeAll(async () => {
  await resetDb(db.pool);
  app = makeApp(db, testConfig());
  org = (await agentAs(app, db, 'organiser')).agent;
  contest = await createResultsContest(db, { state: 'judging', allow_multiple_prizes: false });
  base = `/organiser/contests/${contest.slug}`;
  round = await createResultsRound(db, contest, { name: 'Chung khảo' });
  await createResultsRound(db, contest, { name: 'Vòng sau', entrySource: 'promoted', state: 'draft' });
  const judge = await createStaff(db, { role: 'judge' });
  // Twelve entries, scored in pairs (9, 9, 8, 8, …) so that ties exist.
  for (let i = 0; i < 12; i++) {
    const e = await createEntry(db, contest, { status: 'eligible', title: `Bài ${i}` });
    await addResultsScoresheet(db, round, e.id, judge.id, [9 - Math.floor(i / 2)]);
    entries.push(e);
  }
  tierId = (await createResultsPrizeTier(db, contest, { name: 'Giải Khuyến khích', count: 50, position: 1 })).id;
});
afterAll(() => db.close());

/** Everything a results form may write: refused bodies must leave all of it as it was. */
const state = async () =>
  JSON.stringify(
    await one(
      db.pool,
      `SELECT (SELECT count(*)::int FROM audit_log WHERE contest_id = $1) AS audit,
              (SELECT count(*)::int FROM result_tie_orders) AS ties,
              (SELECT coalesce(json_agg(json_build_object('e', entry_id, 's', source, 'r', reason) ORDER BY id), '[]') FROM awards WHERE contest_id = $1) AS awards,
              (SELECT count(*)::int FROM round_entries) AS promoted,
              (SELECT coalesce(json_agg(status ORDER BY id), '[]') FROM entries WHERE contest_id = $1) AS statuses,
              (SELECT state FROM winners_lists WHERE contest_id = $1) AS list`,
      [contest.id],
    ),
  );

async function post(url: string, body: Record<string, unknown> | string) {
  const token = await tokenFor(org, `${base}/winners`);
  if (typeof body === 'string') return org.post(url).set('x-csrf-token', token).type('json').send(body);
  const json = Object.values(body).some((v) => v !== null && typeof v === 'object' && !Array.isArray(v));
  return org.post(url).type(json ? 'json' : 'form').send({ _csrf: token, ...body });
}

/**
 * A refusal on these forms: the form's page again with the message at its field (422; 409 when
 * the state of things refuses; 404 for what does not exist), nothing written.
 */
async function expectRefused(url: string, body: Record<string, unknown> | string, message: string) {
  const before = await state();
  const res = await post(url, body);
  expect([404, 409, 422]).toContain(res.status);
  expect(res.text).toContain(message);
  expect(await state()).toBe(before);
}

describe('GET /organiser/contests/:slug/results', () => {
  test.each([
    ['a round in SQL', { round: '1 OR 1=1' }],
    ['a round past bigint', { round: '99999999999999999999' }],
    ['two rounds', { round: ['1', '2'] }],
    ['a method in script', { method: '<script>alert(1)</script>' }],
    ['a category in SQL', { category: "1'; DROP TABLE entries; --" }],
    ['a flag with a NUL', { flag: REFUSED.nul }],
    ['a page of Infinity', { page: '1e400' }],
    ['a template in every option', { round: '{{7*7}}', method: '${7*7}', category: '<%= 7*7 %>', flag: '#{7*7}', page: '-1' }],
  ])('%s falls back to the defaults: 200 with the ranking, nothing echoed raw', async (_, query) => {
    const res = await org.get(`${base}/results`).query(query);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Chung khảo');
    expect(res.text).not.toContain('<script>alert(1)');
  });
});

describe('GET /organiser/contests/:slug/results/rounds/:roundId/entries/:code', () => {
  test.each([['99999999999999999999'], ['1 OR 1=1'], ['-1']])('the round %s is a 404, not an error', async (r) => {
    const res = await org.get(`${base}/results/rounds/${encodeURIComponent(r)}/entries/${entries[0]!.code}`);
    expect(res.status).toBe(404);
  });
  test.each([["X' OR '1'='1"], ['<script>'], [overLong(300)]])('the code %# is a 404, not an error', async (code) => {
    const res = await org.get(`${base}/results/rounds/${round.id}/entries/${encodeURIComponent(code)}`);
    expect(res.status).toBe(404);
  });
});

describe('POST /organiser/contests/:slug/results/ties', () => {
  const url = () => `${base}/results/ties`;
  const tied = () => `${entries[1]!.code} ${entries[0]!.code}`;
  test.each([
    ['a round in words', () => ({ round: 'first', codes: tied() }), INVALID],
    ['a round past bigint', () => ({ round: '99999999999999999999', codes: tied() }), INVALID],
    ['two rounds', () => ({ round: [String(round.id), '1'], codes: tied() }), INVALID],
    ['a round of nobody', () => ({ round: '999999', codes: tied() }), 'Không tìm thấy'],
    ['codes in SQL', () => ({ round: String(round.id), codes: "X' OR '1'='1" }), NOT_FOUND],
    ['codes as an array', () => ({ round: String(round.id), codes: [entries[0]!.code, entries[1]!.code] }), INVALID],
    ['codes as an object', () => ({ round: String(round.id), codes: { $ne: null } }), INVALID],
    ['codes past 5,000 characters', () => ({ round: String(round.id), codes: overLong(5001) }), INVALID],
    ...Object.entries(REFUSED).map(([k, v]): [string, () => Record<string, unknown>, string] => [`codes with ${k}`, () => ({ round: String(round.id), codes: `${entries[0]!.code} ${v}` }), CONTROL_CHARS_MESSAGE]),
  ] as [string, () => Record<string, unknown>, string][])('%s is refused with a message, nothing written', async (_, body, message) => {
    await expectRefused(url(), body(), message);
  });

  test('prototype keys do not pollute; the tie is recorded once', async () => {
    const o = await outcome(org, await post(url(), withPrototypeKeys({ round: String(round.id), codes: tied(), method: ['plain', 'x'] })));
    expect(o.text).toContain('Đã ghi nhận thứ tự đồng hạng.');
    expectNotPolluted();
  });
});

describe('POST /organiser/contests/:slug/results/promote', () => {
  const url = () => `${base}/results/promote`;
  test.each([
    ['an unknown mode', () => ({ round: String(round.id), mode: 'everyone' }), INVALID],
    ['two modes', () => ({ round: String(round.id), mode: ['top', 'selected'], n: '3' }), INVALID],
    ['a count of Infinity', () => ({ round: String(round.id), mode: 'top', n: '1e400' }), INVALID],
    ['a negative count', () => ({ round: String(round.id), mode: 'top', n: '-3' }), INVALID],
    ['a count in SQL', () => ({ round: String(round.id), mode: 'top', n: '3; DELETE FROM round_entries' }), INVALID],
    ['no count', () => ({ round: String(round.id), mode: 'top' }), 'Trường này là bắt buộc.'],
    ['codes in SQL', () => ({ round: String(round.id), mode: 'selected', codes: "' OR 1=1 --" }), NOT_FOUND],
    ['only separators as codes', () => ({ round: String(round.id), mode: 'selected', codes: ' ,;; ' }), 'Không có bài nào để chuyển.'],
    ['a round past bigint', () => ({ round: '99999999999999999999', mode: 'top', n: '3' }), INVALID],
    ...Object.entries(REFUSED).map(([k, v]): [string, () => Record<string, unknown>, string] => [`codes with ${k}`, () => ({ round: String(round.id), mode: 'selected', codes: v }), CONTROL_CHARS_MESSAGE]),
  ] as [string, () => Record<string, unknown>, string][])('%s is refused with a message, nothing promoted', async (_, body, message) => {
    await expectRefused(url(), body(), message);
  });

  test('prototype keys do not pollute', async () => {
    await expectRefused(url(), withPrototypeKeys({ round: String(round.id), mode: 'top', n: '0' }), INVALID);
    expectNotPolluted();
  });
});

describe('POST /organiser/contests/:slug/winners/suggest', () => {
  test.each([[{ method: ['plain', 'normalised'] }], [{ method: { $ne: null } }], [{ method: "normalised'; --" }]])('method %j falls back to plain, never a 500', async (body) => {
    const o = await outcome(org, await post(`${base}/winners/suggest`, body));
    expect(o.status).toBe(303);
    expect(o.text).not.toContain('flash-error');
  });
  test('prototype keys do not pollute', async () => {
    expect((await post(`${base}/winners/suggest`, withPrototypeKeys({ method: 'plain' }))).status).toBe(303);
    expectNotPolluted();
  });
});

describe('POST /organiser/contests/:slug/winners/awards', () => {
  const url = () => `${base}/winners/awards`;
  const free = async () => (await one<{ code: string }>(db.pool, 'SELECT code FROM entries e WHERE contest_id = $1 AND NOT EXISTS (SELECT 1 FROM awards a WHERE a.entry_id = e.id) ORDER BY id DESC LIMIT 1', [contest.id])).code;

  test.each(STORED_VERBATIM.map((s) => [s]))('the reason %j is stored verbatim and shown escaped on the winners and audit pages', async (reason) => {
    const code = await free();
    const o = await outcome(org, await post(url(), { tierId: String(tierId), entryCode: code, reason }));
    expect(o.text).toContain('Đã cập nhật danh sách.');
    expect(await one(db.pool, 'SELECT a.reason FROM awards a JOIN entries e ON e.id = a.entry_id WHERE e.code = $1', [code])).toEqual({ reason: reason.trim() });
    for (const page of [`${base}/winners`, `${base}/audit`]) {
      const html = (await org.get(page)).text;
      expect(html).toContain(escapedHtml(reason.trim()));
      if (reason.includes('<')) expect(html).not.toContain(reason);
    }
    await one(db.pool, 'DELETE FROM awards WHERE entry_id = (SELECT id FROM entries WHERE code = $1) RETURNING id', [code]);
  });

  test.each([
    ...Object.entries(REFUSED).map(([k, v]): [string, Record<string, unknown>, string] => [`a reason with ${k}`, { reason: v }, CONTROL_CHARS_MESSAGE]),
    ['an over-long reason', { reason: overLong(2001) }, INVALID],
    ['a blank reason', { reason: ' \t ' }, REASON_REQUIRED],
    ['two reasons', { reason: ['a', 'b'] }, INVALID],
    ['an entry code in SQL', { entryCode: "X' OR '1'='1" }, NOT_FOUND],
    ['an entry code object', { entryCode: { $ne: null } }, INVALID],
    ['a tier in SQL', { tierId: '1 OR 1=1' }, INVALID],
    ['a tier past bigint', { tierId: '99999999999999999999' }, INVALID],
    ['a tier of nobody', { tierId: '999999' }, 'Không tìm thấy giải.'],
  ] as [string, Record<string, unknown>, string][])('%s is refused with a message, nothing written', async (_, body, message) => {
    await expectRefused(url(), { tierId: String(tierId), entryCode: entries[11]!.code, reason: 'Ban tổ chức quyết định', ...body }, message);
  });

  test('prototype keys do not pollute', async () => {
    await expectRefused(url(), withPrototypeKeys({ tierId: String(tierId), entryCode: 'NO-SUCH', reason: 'x' }), NOT_FOUND);
    expectNotPolluted();
  });
});

describe('POST /organiser/contests/:slug/winners/awards/:awardId/replace', () => {
  let awardId: number;
  beforeAll(async () => {
    awardId = (await one<{ id: number }>(db.pool, `INSERT INTO awards (contest_id, prize_tier_id, entry_id, position, source, reason) VALUES ($1, $2, $3, 1, 'override', 'Gốc') RETURNING id`, [contest.id, tierId, entries[0]!.id])).id;
  });
  const url = () => `${base}/winners/awards/${awardId}/replace`;

  test.each(STORED_VERBATIM.map((s, i) => [s, i]))('the reason %j is stored verbatim and shown escaped', async (reason, i) => {
    const code = entries[1 + (i % 2)]!.code;
    const o = await outcome(org, await post(url(), { entryCode: code, reason }));
    expect(o.text).toContain('Đã cập nhật danh sách.');
    expect(await one(db.pool, 'SELECT reason FROM awards WHERE id = $1', [awardId])).toEqual({ reason: reason.trim() });
    const html = (await org.get(`${base}/winners`)).text;
    expect(html).toContain(escapedHtml(reason.trim()));
    if (reason.includes('<')) expect(html).not.toContain(reason);
  });

  test.each([
    ...Object.entries(REFUSED).map(([k, v]): [string, Record<string, unknown>, string] => [`a reason with ${k}`, { reason: v }, CONTROL_CHARS_MESSAGE]),
    ['an over-long reason', { reason: overLong(2001) }, INVALID],
    ['an entry code with an RTL override', { entryCode: REFUSED.rtlOverride }, CONTROL_CHARS_MESSAGE],
    ['an over-long entry code', { entryCode: overLong(41) }, INVALID],
    ['an entry code array', { entryCode: ['A', 'B'] }, INVALID],
  ] as [string, Record<string, unknown>, string][])('%s is refused with a message, nothing written', async (_, body, message) => {
    await expectRefused(url(), { entryCode: entries[3]!.code, reason: 'Đổi giải', ...body }, message);
  });

  test.each([['99999999999999999999'], ['abc'], ['1e3']])('the award %s is a 404 or a refusal, never a 500', async (id) => {
    const res = await post(`${base}/winners/awards/${id}/replace`, { entryCode: entries[3]!.code, reason: 'x' });
    expect([303, 404]).toContain(res.status);
  });
});

describe('POST /organiser/contests/:slug/winners/awards/:awardId/remove', () => {
  test.each(STORED_VERBATIM.map((s) => [s]))('the reason %j is kept in the audit log and shown escaped', async (reason) => {
    const e = entries[4]!;
    const awardId = (await one<{ id: number }>(db.pool, `INSERT INTO awards (contest_id, prize_tier_id, entry_id, position, source, reason) VALUES ($1, $2, $3, 9, 'override', 'Tạm') RETURNING id`, [contest.id, tierId, e.id])).id;
    const o = await outcome(org, await post(`${base}/winners/awards/${awardId}/remove`, { reason }));
    expect(o.text).toContain('Đã cập nhật danh sách.');
    expect(await rows(db.pool, 'SELECT id FROM awards WHERE id = $1', [awardId])).toEqual([]);
    expect(await one(db.pool, `SELECT reason FROM audit_log WHERE action = 'winners.award_removed' AND subject_id = $1`, [String(awardId)])).toEqual({ reason: reason.trim() });
    const html = (await org.get(`${base}/audit`)).text;
    expect(html).toContain(escapedHtml(reason.trim()));
  });

  test.each([
    ...Object.entries(REFUSED).map(([k, v]) => [`a reason with ${k}`, v, CONTROL_CHARS_MESSAGE]),
    ['an over-long reason', overLong(2001), INVALID],
    ['no reason', '', REASON_REQUIRED],
    ['a reason object', { $ne: null }, INVALID],
  ] as [string, unknown, string][])('%s is refused with a message, the award stays', async (_, reason, message) => {
    const awardId = (await one<{ id: number }>(db.pool, `INSERT INTO awards (contest_id, prize_tier_id, entry_id, position, source, reason) VALUES ($1, $2, $3, 9, 'override', 'Giữ') ON CONFLICT DO NOTHING RETURNING id`, [contest.id, tierId, entries[5]!.id]).catch(async () => one<{ id: number }>(db.pool, 'SELECT id FROM awards WHERE entry_id = $1', [entries[5]!.id]))).id;
    await expectRefused(`${base}/winners/awards/${awardId}/remove`, { reason }, message);
  });
});

describe('POST /organiser/contests/:slug/winners/unpublish', () => {
  const url = () => `${base}/winners/unpublish`;
  const publish = async () => {
    const token = await tokenFor(org, `${base}/winners`);
    const o = await outcome(org, await org.post(`${base}/winners/publish`).type('form').send({ _csrf: token, __proto__: 'x', reason: REFUSED.nul }));
    expect(o.text).toContain('flash-success');
  };
  beforeAll(async () => {
    await one(db.pool, `DELETE FROM awards WHERE contest_id = $1 RETURNING 1`, [contest.id]).catch(() => undefined);
    await db.pool.query(`INSERT INTO awards (contest_id, prize_tier_id, entry_id, position, source, reason) VALUES ($1, $2, $3, 1, 'override', 'Giải') ON CONFLICT DO NOTHING`, [contest.id, tierId, entries[6]!.id]);
  });

  test.each(STORED_VERBATIM.map((s) => [s]))('the reason %j is stored verbatim and shown escaped', async (reason) => {
    await publish();
    const o = await outcome(org, await post(url(), { reason }));
    expect(o.text).toContain('Đã thu hồi danh sách đoạt giải.');
    expect(await one(db.pool, 'SELECT state, unpublished_reason FROM winners_lists WHERE contest_id = $1', [contest.id])).toEqual({ state: 'draft', unpublished_reason: reason.trim() });
    for (const page of [`${base}/winners`, `${base}/audit`]) {
      const html = (await org.get(page)).text;
      expect(html).toContain(escapedHtml(reason.trim()));
      if (reason.includes('<')) expect(html).not.toContain(reason);
    }
  });

  test.each([
    ...Object.entries(REFUSED).map(([k, v]) => [`a reason with ${k}`, v, CONTROL_CHARS_MESSAGE]),
    ['an over-long reason', overLong(2001), INVALID],
    ['no reason', '   ', REASON_REQUIRED],
    ['two reasons', ['a', 'b'], INVALID],
  ] as [string, unknown, string][])('%s is refused with a message, the list stays published', async (_, reason, message) => {
    if ((await one<{ state: string }>(db.pool, 'SELECT state FROM winners_lists WHERE contest_id = $1', [contest.id])).state !== 'published') await publish();
    await expectRefused(url(), { reason }, message);
  });

  test('prototype keys do not pollute', async () => {
    await expectRefused(url(), withPrototypeKeys({ reason: '' }), REASON_REQUIRED);
    expectNotPolluted();
  });
});

describe('GET /organiser/contests/:slug/exports/*', () => {
  const EXPORTS = ['results.csv', 'results.xlsx', 'scoresheets.csv', 'scoresheets.xlsx'];
  test.each(EXPORTS.flatMap((f) => [
    [f, '1 OR 1=1'],
    [f, '99999999999999999999'],
    [f, '-1'],
    [f, ['1', '2']],
  ] as [string, unknown][]))('%s with the round %j is a 4xx, never a 500', async (file, r) => {
    const res = await org.get(`${base}/exports/${file}`).query({ round: r, method: '<script>' });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });
  test.each(EXPORTS)('%s with a hostile method falls back to plain', async (file) => {
    const res = await org.get(`${base}/exports/${file}`).query({ round: String(round.id), method: "normalised'; --" });
    expect(res.status).toBe(200);
  });
  test.each([['action', "x'; DROP TABLE audit_log; --"], ['action', ['a', 'b']], ['page', '1e400'], ['action', REFUSED.nul]])('the audit page and CSV with %s=%j answer 200', async (k, v) => {
    expect((await org.get(`${base}/audit`).query({ [k]: v })).status).toBe(200);
    expect((await org.get(`${base}/audit.csv`).query({ [k]: v })).status).toBe(200);
  });
});
