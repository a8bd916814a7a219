import type { Express } from 'express';
import type TestAgent from 'supertest/lib/agent';
import { agentAs, makeApp, postForm } from '../../helpers/app';
import { resetDb, testConfig, testDb } from '../../helpers/db';
import { createEntry, createStaff } from '../../helpers/factories';
import { addResultsScoresheet, createResultsContest, createResultsPrizeTier, createResultsRound } from '../../helpers/factories/results';
import { rows } from '../../../src/db';

/**
 * The small forms of the results pages: a rejected one comes back on its page (422 for what was
 * typed, 409 for the state of things) with what was typed and each message next to its field
 * (aria-describedby), in Vietnamese and in English. Nothing is written.
 */
const db = testDb();
let app: Express;
let org: TestAgent;
let base: string;
let roundId: number;
let entries: { id: number; code: string }[];
let tierId: number;
let awardId: number;

beforeAll(async () => {
  await resetDb(db.pool);
  app = makeApp(db, testConfig());
  org = (await agentAs(app, db, 'organiser')).agent;
  const contest = await createResultsContest(db, { state: 'judging', slug: 'bieu-mau' });
  base = `/organiser/contests/${contest.slug}`;
  const round = await createResultsRound(db, contest);
  roundId = round.id;
  const judge = await createStaff(db);
  entries = [];
  for (const v of [8, 8, 5]) {
    const e = await createEntry(db, contest, { status: 'eligible' });
    await addResultsScoresheet(db, round, e.id, judge.id, [v]);
    entries.push(e);
  }
  tierId = (await createResultsPrizeTier(db, contest, { name: 'Giải Nhất', count: 2, position: 1 })).id;
  const res = await postForm(org, `${base}/winners/awards`, { tierId, entryCode: entries[2]!.code, reason: 'Khuyến khích' }, `${base}/winners`);
  expect(res.status).toBe(303);
  awardId = (await rows<{ id: number }>(db.pool, 'SELECT id FROM awards')).map((a) => a.id)[0]!;
});
afterAll(() => db.close());

/** The input with this id, its value, and the message it points to (aria-describedby). */
function field(html: string, id: string): { value: string | null; message: string | null } {
  const input = html.match(new RegExp(`<input[^>]*\\bid="${id}"[^>]*>`))?.[0];
  if (!input) throw new Error(`no input #${id}`);
  const value = input.match(/\bvalue="([^"]*)"/)?.[1] ?? null;
  const describedBy = input.match(/aria-describedby="([^"]+)"/)?.[1];
  if (!describedBy) return { value, message: null };
  expect(input).toContain('aria-invalid="true"');
  const message = html.match(new RegExp(`<(?:p|span) class="error" id="${describedBy}">([^<]*)</(?:p|span)>`))?.[1] ?? null;
  return { value, message };
}

const count = async (table: string) => (await rows<{ n: number }>(db.pool, `SELECT count(*)::int AS n FROM ${table}`))[0]!.n;

describe('in Vietnamese', () => {
  test('a tie order naming an unknown code keeps what was typed and says so at the field', async () => {
    const typed = `${entries[0]!.code}, khong-co-ma`;
    const res = await postForm(org, `${base}/results/ties`, { round: roundId, codes: typed }, `${base}/results`);
    expect(res.status).toBe(422);
    expect(field(res.text, 'f-tie')).toEqual({ value: typed, message: 'Không tìm thấy bài với mã này.' });
    // The other form on the page is untouched.
    expect(field(res.text, 'f-codes')).toEqual({ value: '', message: null });
    expect(await count('result_tie_orders')).toBe(0);
  });

  test('one code only, or entries that are not tied: the message is at the codes', async () => {
    let res = await postForm(org, `${base}/results/ties`, { round: roundId, codes: entries[0]!.code }, `${base}/results`);
    expect(res.status).toBe(422);
    expect(field(res.text, 'f-tie')).toEqual({ value: entries[0]!.code, message: 'Cần ít nhất hai mã bài khác nhau.' });
    const typed = `${entries[0]!.code} ${entries[2]!.code}`;
    res = await postForm(org, `${base}/results/ties`, { round: roundId, codes: typed }, `${base}/results`);
    expect(res.status).toBe(409);
    expect(field(res.text, 'f-tie')).toEqual({ value: typed, message: 'Các bài này không đồng hạng.' });
    expect(await count('result_tie_orders')).toBe(0);
  });

  test('promotion: the number is required for "top N", the codes must exist for "selected"; the chosen mode stays chosen', async () => {
    let res = await postForm(org, `${base}/results/promote`, { round: roundId, mode: 'top', n: '' }, `${base}/results`);
    expect(res.status).toBe(422);
    expect(field(res.text, 'f-n')).toEqual({ value: '', message: 'Trường này là bắt buộc.' });
    res = await postForm(org, `${base}/results/promote`, { round: roundId, mode: 'selected', n: '', codes: 'ma-la' }, `${base}/results`);
    expect(res.status).toBe(422);
    expect(field(res.text, 'f-codes')).toEqual({ value: 'ma-la', message: 'Không tìm thấy bài với mã này.' });
    expect(res.text).toMatch(/<input type="radio" name="mode" value="selected" checked>/);
    expect(res.text).not.toMatch(/<input type="radio" name="mode" value="top" checked>/);
    res = await postForm(org, `${base}/results/promote`, { round: roundId, mode: 'top', n: 'hai' }, `${base}/results`);
    expect(res.status).toBe(422);
    expect(field(res.text, 'f-n')).toEqual({ value: 'hai', message: 'Giá trị không hợp lệ.' });
    // A valid form refused by the state of things (no next round) says so inside the form.
    res = await postForm(org, `${base}/results/promote`, { round: roundId, mode: 'top', n: '2' }, `${base}/results`);
    expect(res.status).toBe(409);
    expect(res.text).toContain('<p class="error" id="f-promote-err" role="alert">Không có vòng sau để chuyển bài vào.</p>');
    expect(field(res.text, 'f-n')).toEqual({ value: '2', message: null });
    expect(await count('round_entries')).toBe(0);
  });

  test('adding a prize: both messages at their fields, what was typed kept (escaped)', async () => {
    let res = await postForm(org, `${base}/winners/awards`, { tierId, entryCode: '', reason: '' }, `${base}/winners`);
    expect(res.status).toBe(422);
    expect(field(res.text, `f-ac-${tierId}`)).toEqual({ value: '', message: 'Trường này là bắt buộc.' });
    expect(field(res.text, `f-ar-${tierId}`)).toEqual({ value: '', message: 'Cần ghi lý do.' });
    res = await postForm(org, `${base}/winners/awards`, { tierId, entryCode: '"><b>X', reason: 'Giải "đặc biệt"' }, `${base}/winners`);
    expect(res.status).toBe(422);
    expect(field(res.text, `f-ac-${tierId}`)).toEqual({ value: '&#34;&gt;&lt;b&gt;X', message: 'Không tìm thấy bài với mã này.' });
    expect(field(res.text, `f-ar-${tierId}`)).toEqual({ value: 'Giải &#34;đặc biệt&#34;', message: null });
    expect(res.text).not.toContain('"><b>X');
    expect(await count('awards')).toBe(1);
  });

  test('replacing or removing a prize without a reason: the message at that award\'s reason', async () => {
    let res = await postForm(org, `${base}/winners/awards/${awardId}/replace`, { entryCode: entries[0]!.code, reason: ' ' }, `${base}/winners`);
    expect(res.status).toBe(422);
    expect(res.text).toContain('<details open>');
    expect(field(res.text, `f-rc-${awardId}`)).toEqual({ value: entries[0]!.code, message: null });
    expect(field(res.text, `f-rr-${awardId}`)).toEqual({ value: ' ', message: 'Cần ghi lý do.' });
    res = await postForm(org, `${base}/winners/awards/${awardId}/remove`, { reason: '' }, `${base}/winners`);
    expect(res.status).toBe(422);
    expect(field(res.text, `f-rm-${awardId}`)).toEqual({ value: '', message: 'Cần ghi lý do.' });
    expect(await count('awards')).toBe(1);
  });
});

describe('in English', () => {
  beforeAll(async () => {
    await org.get('/lang/en?next=/');
  });
  afterAll(async () => {
    await org.get('/lang/vi?next=/');
  });

  test('the same refusals, in English', async () => {
    let res = await postForm(org, `${base}/results/ties`, { round: roundId, codes: 'nope, nada' }, `${base}/results`);
    expect(res.status).toBe(422);
    expect(field(res.text, 'f-tie')).toEqual({ value: 'nope, nada', message: 'No entry with this code.' });
    res = await postForm(org, `${base}/results/promote`, { round: roundId, mode: 'top', n: '' }, `${base}/results`);
    expect(res.status).toBe(422);
    expect(field(res.text, 'f-n')).toEqual({ value: '', message: 'This field is required.' });
    res = await postForm(org, `${base}/winners/awards/${awardId}/remove`, { reason: '' }, `${base}/winners`);
    expect(res.status).toBe(422);
    expect(field(res.text, `f-rm-${awardId}`)).toEqual({ value: '', message: 'A reason is required.' });
    res = await postForm(org, `${base}/winners/awards`, { tierId, entryCode: entries[2]!.code, reason: 'again' }, `${base}/winners`);
    expect(res.status).toBe(422);
    expect(field(res.text, `f-ac-${tierId}`)).toEqual({ value: entries[2]!.code, message: 'The entry already has this prize.' });
  });
});
