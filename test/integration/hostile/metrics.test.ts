import type { Express } from 'express';
import type TestAgent from 'supertest/lib/agent';
import { one } from '../../../src/db';
import { settleImportJobs } from '../../../src/metrics/importJobs';
import { agentAs, csrfFrom, makeApp, tokenFor } from '../../helpers/app';
import { resetDb, testConfig, testDb } from '../../helpers/db';
import { createContest, createEntry } from '../../helpers/factories/contests';
import { createMetricsPrizeTier } from '../../helpers/factories/metrics';
import { CONTROL_CHARS_MESSAGE, REFUSED, STORED_VERBATIM, escapedHtml, expectNotPolluted, outcome, overLong, withPrototypeKeys } from '../../helpers/hostile';

/**
 * Hostile input against engagement metrics: the import upload's fields and file name, the
 * column mapping, the manual snapshot form and the people's-choice rule. Each describe is named
 * after its route (the coverage test reads the names).
 */
const db = testDb();
let app: Express;
let org: TestAgent;
let contest: { id: number; slug: string; code_prefix: string };
let entry: { id: number; code: string };
let base: string;
const INVALID = 'Giá trị không hợp lệ.';
const BAD_TIME = 'Thời điểm không hợp lệ.';
const BAD_COUNT = 'Số nguyên không âm (có thể viết 1.234.567).';

beforeAll(async () => {
  await resetDb(db.pool);
  app = makeApp(db, testConfig({ UPLOAD_DIR: '/tmp/clipjury-test-uploads-hostile-metrics' }));
  org = (await agentAs(app, db, 'organiser')).agent;
  contest = await createContest(db, { code_prefix: 'HMT', state: 'judging' });
  base = `/organiser/contests/${contest.slug}`;
  entry = await createEntry(db, contest, { status: 'eligible' });
});
afterAll(async () => {
  await settleImportJobs();
  await db.close();
});

/** Everything the metrics forms may write. */
const state = async () =>
  JSON.stringify(
    await one(
      db.pool,
      `SELECT (SELECT count(*)::int FROM metric_imports WHERE contest_id = $1) AS imports,
              (SELECT count(*)::int FROM metric_snapshots WHERE contest_id = $1) AS snapshots,
              (SELECT coalesce(json_agg(engagement ORDER BY id), '[]') FROM prize_tiers WHERE contest_id = $1) AS rules`,
      [contest.id],
    ),
  );

const CSV = () => `Mã video,Lượt xem,Lượt thích,Bình luận,Chia sẻ,Thời điểm\n${entry.code},1.000,10,1,1,03/09/2021 12:00\n`;

async function upload(name: string, fields: Record<string, string> = {}, file: Buffer | null = Buffer.from(CSV())) {
  const token = await tokenFor(org, `${base}/metrics`);
  let req = org.post(`${base}/metrics/imports`).field('_csrf', token);
  for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
  if (file) req = req.attach('file', file, { filename: name, contentType: 'text/csv' });
  return req;
}

describe('POST /organiser/contests/:slug/metrics/imports', () => {
  // A double quote or a backslash cannot travel unescaped in a multipart file name.
  test.each(STORED_VERBATIM.filter((s) => !/["\\]/.test(s)).map((s) => [s]))('a file named %j is shown escaped on the preview', async (text) => {
    const res = await upload(`${text}.csv`);
    expect(res.status).toBe(200);
    const name = `${text}.csv`.normalize('NFC');
    expect(res.text).toContain(escapedHtml(name));
    if (text.includes('<')) expect(res.text).not.toContain(text);
  });

  test.each([
    ['no file at all', null, {}],
    ['a text field in place of the file', null, { file: 'views.csv' }],
    ['an HTML page named .csv', Buffer.from('<!doctype html><html><script>alert(1)</script></html>'), {}],
    ['hostile extra fields', null, { __proto__: 'x', constructor: 'y', "name'; DROP TABLE metric_imports; --": REFUSED.nul }],
  ] as [string, Buffer | null, Record<string, string>][])('%s is a 4xx with a message, nothing written', async (_, file, fields) => {
    const before = await state();
    const res = await upload('metrics.csv', fields, file);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    if (res.status === 422) expect(res.text).toContain('Hãy chọn một tệp CSV hoặc XLSX.');
    expect(await state()).toBe(before);
    expectNotPolluted();
  });
});

describe('POST /organiser/contests/:slug/metrics/imports/pending/:token', () => {
  const MAPPING = { video: '0', views: '1', likes: '2', comments: '3', shares: '4', capturedAt: '5', capturedAtAll: '' };
  async function preview() {
    const res = await upload('metrics.csv');
    const action = /action="([^"]+\/metrics\/imports\/pending\/[^"]+)"/.exec(res.text)![1]!;
    return { action, token: csrfFrom(res.text) };
  }

  test.each([
    ['a column in SQL', { views: '1 OR 1=1' }, 'views', INVALID],
    ['a negative column', { views: '-1' }, 'views', INVALID],
    ['a column past the sheet', { views: '1e3' }, 'views', INVALID],
    ['two columns', { views: ['1', '2'] }, 'views', INVALID],
    ['a column with a NUL', { likes: REFUSED.nul }, 'likes', CONTROL_CHARS_MESSAGE],
    ['a time in words', { capturedAt: '', capturedAtAll: 'hôm qua' }, 'capturedAtAll', BAD_TIME],
    ['a time with an RTL override', { capturedAt: '', capturedAtAll: `2021-09-03T12:00${REFUSED.rtlOverride}` }, 'capturedAtAll', CONTROL_CHARS_MESSAGE],
    ['a time that does not exist', { capturedAt: '', capturedAtAll: '2021-02-30T12:00' }, 'capturedAtAll', BAD_TIME],
    ['an over-long time', { capturedAt: '', capturedAtAll: overLong(10_000) }, 'capturedAtAll', BAD_TIME],
    ['a time object', { capturedAt: '', capturedAtAll: { $gt: '' } }, 'capturedAtAll', INVALID],
  ] as [string, Record<string, unknown>, string, string][])('%s is refused with 422 and the field marked, no import started', async (_, body, field, message) => {
    const p = await preview();
    const before = await state();
    const json = Object.values(body).some((v) => v !== null && typeof v === 'object' && !Array.isArray(v));
    const res = await org.post(p.action).type(json ? 'json' : 'form').send({ _csrf: p.token, ...MAPPING, ...body });
    expect(res.status).toBe(422);
    expect(res.text).toContain(`aria-describedby="f-${field}-err"`);
    expect(res.text).toContain(message);
    expect(await state()).toBe(before);
  });

  test.each([['../../../etc/passwd'], ['%00'], [overLong(300)], ['__proto__']])('a token %# that was never issued says the upload expired, nothing written', async (t) => {
    const before = await state();
    const token = await tokenFor(org, `${base}/metrics`);
    const o = await outcome(org, await org.post(`${base}/metrics/imports/pending/${encodeURIComponent(t)}`).type('form').send({ _csrf: token, ...MAPPING }));
    expect(o.status).toBe(303);
    expect(o.text).toContain('Tệp tải lên đã hết hạn. Vui lòng tải lên lại.');
    expect(await state()).toBe(before);
  });

  test('prototype keys do not pollute', async () => {
    const p = await preview();
    const res = await org.post(p.action).set('x-csrf-token', p.token).type('json').send(withPrototypeKeys({ ...MAPPING, views: 'x' }));
    expect(res.status).toBe(422);
    expectNotPolluted();
  });
});

describe('POST /organiser/contests/:slug/metrics/entries/:code', () => {
  const url = () => `${base}/metrics/entries/${entry.code}`;
  const GOOD = { capturedAt: '2021-09-03T12:00', views: '1.000', likes: '10', comments: '1', shares: '1' };
  test.each([
    ['a count in SQL', { views: '1; DROP TABLE metric_snapshots' }, 'views', BAD_COUNT],
    ['a negative count', { likes: '-5' }, 'likes', BAD_COUNT],
    ['a count past 2^53', { views: '9'.repeat(30) }, 'views', BAD_COUNT],
    ['a count of Infinity', { views: '1e400' }, 'views', BAD_COUNT],
    ['two counts', { shares: ['1', '2'] }, 'shares', INVALID],
    ['a count object', { shares: { $gt: 0 } }, 'shares', INVALID],
    ['a count with a bell', { comments: `1${REFUSED.bell}` }, 'comments', CONTROL_CHARS_MESSAGE],
    ['a time in SQL', { capturedAt: "2021-09-03' OR '1'='1" }, 'capturedAt', BAD_TIME],
    ['a time past the calendar', { capturedAt: '2021-13-45T25:61' }, 'capturedAt', BAD_TIME],
    ['an over-long time', { capturedAt: overLong(5000) }, 'capturedAt', BAD_TIME],
    ['a time with a C1 control', { capturedAt: `2021-09-03T12:00${REFUSED.c1}` }, 'capturedAt', CONTROL_CHARS_MESSAGE],
  ] as [string, Record<string, unknown>, string, string][])('%s is refused with 422 and the field marked, nothing written', async (_, body, field, message) => {
    const before = await state();
    const token = await tokenFor(org, url());
    const json = Object.values(body).some((v) => v !== null && typeof v === 'object' && !Array.isArray(v));
    const res = await org.post(url()).type(json ? 'json' : 'form').send({ _csrf: token, ...GOOD, ...body });
    expect(res.status).toBe(422);
    expect(res.text).toContain(`aria-describedby="f-${field}-err"`);
    expect(res.text).toContain(message);
    expect(await state()).toBe(before);
  });

  test.each([["X' OR '1'='1"], ['<script>'], [overLong(300)]])('an entry code %# is a 404, nothing written', async (code) => {
    const before = await state();
    const token = await tokenFor(org, url());
    const res = await org.post(`${base}/metrics/entries/${encodeURIComponent(code)}`).type('form').send({ _csrf: token, ...GOOD });
    expect(res.status).toBe(404);
    expect(await state()).toBe(before);
  });

  test('prototype keys do not pollute; the snapshot is saved once', async () => {
    const before = await one<{ n: number }>(db.pool, 'SELECT count(*)::int AS n FROM metric_snapshots WHERE entry_id = $1', [entry.id]);
    const token = await tokenFor(org, url());
    const res = await org.post(url()).set('x-csrf-token', token).type('json').send(withPrototypeKeys(GOOD));
    expect(res.status).toBe(303);
    expect(await one(db.pool, 'SELECT count(*)::int AS n FROM metric_snapshots WHERE entry_id = $1', [entry.id])).toEqual({ n: before.n + 1 });
    expectNotPolluted();
  });
});

describe('POST /organiser/contests/:slug/peoples-choice/:tier', () => {
  let tierId: number;
  const GOOD = { formula: 'weighted', wViews: '1', wLikes: '0', wComments: '0', wShares: '0', cutoff: '2021-09-05T00:00' };
  beforeAll(async () => {
    tierId = (await createMetricsPrizeTier(db, contest.id, { name: 'Giải bình chọn' })).id;
  });
  const url = () => `${base}/peoples-choice/${tierId}`;

  test.each([
    ['a formula in SQL', { formula: "views'; --" }, 'formula', INVALID],
    ['two formulas', { formula: ['views', 'likes'] }, 'formula', INVALID],
    ['a weight of NaN', { wViews: 'NaN' }, 'wViews', INVALID],
    ['a weight of Infinity', { wLikes: '1e400' }, 'wLikes', INVALID],
    ['a negative weight', { wComments: '-1' }, 'wComments', INVALID],
    ['a weight past the limit', { wShares: '1001' }, 'wShares', INVALID],
    ['a weight with an RTL override', { wShares: `1${REFUSED.rtlOverride}` }, 'wShares', CONTROL_CHARS_MESSAGE],
    ['a cut-off in words', { cutoff: 'ngày mai' }, 'cutoff', BAD_TIME],
    ['a cut-off with a NUL', { cutoff: `2021-09-05T00:00${REFUSED.nul}` }, 'cutoff', CONTROL_CHARS_MESSAGE],
    ['a cut-off on the 31st of June', { cutoff: '2021-06-31T00:00' }, 'cutoff', BAD_TIME],
    ['an over-long cut-off', { cutoff: overLong(3000) }, 'cutoff', BAD_TIME],
  ] as [string, Record<string, unknown>, string, string][])('%s is refused: back to the page with the field marked, nothing saved', async (_, body, field, message) => {
    const before = await state();
    const token = await tokenFor(org, `${base}/peoples-choice`);
    const res = await org.post(url()).type('form').send({ _csrf: token, ...GOOD, ...body });
    const o = await outcome(org, res);
    expect(o.status).toBe(303);
    expect(o.location).not.toContain('_csrf');
    expect(o.text).toContain(`aria-describedby="f-${field}-err"`);
    expect(o.text).toContain(message);
    expect(await state()).toBe(before);
  });

  test.each([['99999999999999999999'], ['1 OR 1=1'], ['-1']])('the tier %s is a 404, nothing saved', async (t) => {
    const before = await state();
    const token = await tokenFor(org, `${base}/peoples-choice`);
    const res = await org.post(`${base}/peoples-choice/${encodeURIComponent(t)}`).type('form').send({ _csrf: token, ...GOOD });
    expect(res.status).toBe(404);
    expect(await state()).toBe(before);
  });

  test('prototype keys do not pollute', async () => {
    const token = await tokenFor(org, `${base}/peoples-choice`);
    const res = await org.post(url()).set('x-csrf-token', token).type('json').send(withPrototypeKeys({ ...GOOD, formula: 'x' }));
    expect(res.status).toBe(303);
    expect((await org.get(res.headers.location!)).status).toBe(200);
    expectNotPolluted();
  });
});
