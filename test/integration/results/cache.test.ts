import type { Express } from 'express';
import type TestAgent from 'supertest/lib/agent';
import { agentAs, makeApp } from '../../helpers/app';
import { resetDb, testConfig, testDb } from '../../helpers/db';
import { createEntry, createStaff } from '../../helpers/factories';
import { addResultsScoresheet, createResultsContest, createResultsRound, type ResultsRound } from '../../helpers/factories/results';
import { execute, one, withTransaction } from '../../../src/db';
import { staffActor } from '../../../src/audit/service';
import { findContestById, type ContestRow } from '../../../src/contests/queries';
import { changeEntryStatus } from '../../../src/entries/states';
import { addConflict, saveScoresheet } from '../../../src/judging/service';
import { cachedResults, computeResults, decideTie, loadRound } from '../../../src/results/service';

/**
 * The leaderboard reads the round's ranking from results_cache (migrations/062), recomputed when
 * the round's results stamp has moved. Every change the ranking depends on must move it in the
 * same transaction; a draft saved must not.
 */
const db = testDb();
let app: Express;
let org: TestAgent;
let organiser: { id: number; email: string };
let contest: ContestRow;
let round: ResultsRound;
let base: string;
let judges: { id: number; email: string }[];
let entries: { id: number; code: string }[];

beforeAll(async () => {
  await resetDb(db.pool);
  app = makeApp(db, testConfig());
  const o = await agentAs(app, db, 'organiser');
  org = o.agent;
  organiser = o.user;
  const c = await createResultsContest(db, { state: 'judging', slug: 'bo-nho-dem' });
  base = `/organiser/contests/${c.slug}`;
  round = await createResultsRound(db, c, { state: 'open', criteria: [{ name: 'Nội dung', weight: 2 }, { name: 'Cảm xúc' }] });
  judges = [await createStaff(db, { name: 'Giám khảo Một' }), await createStaff(db, { name: 'Giám khảo Hai' })];
  entries = [];
  // Weighted means on 1–10 (weights 2 and 1): A (9,9)→9 and (9,6)→8 → 8.5; B (8,5)→7, (7,7)→7 → 7; C (5,5)→5.
  const specs = [[[9, 9], [9, 6]], [[8, 5], [7, 7]], [[5, 5]]];
  for (const [i, sheets] of specs.entries()) {
    const e = await createEntry(db, c, { status: 'eligible', title: `Clip ${'ABC'[i]}` });
    for (const [j, v] of sheets.entries()) await addResultsScoresheet(db, round, e.id, judges[j]!.id, v);
    entries.push(e);
  }
  contest = (await findContestById(db.pool, c.id))!;
});
afterAll(() => db.close());

const stamp = async () => Number((await one<{ s: string | null }>(db.pool, 'SELECT (SELECT stamp FROM results_stamps WHERE round_id = $1) AS s', [round.id])).s ?? 0);
const cachedStamp = async () => (await one<{ s: number | null }>(db.pool, `SELECT (SELECT stamp FROM results_cache WHERE round_id = $1 AND method = 'plain') AS s`, [round.id])).s;

/** The ranking as the page shows it: code and mean of each row, in order. */
async function page(): Promise<[string, string][]> {
  const res = await org.get(`${base}/results`);
  expect(res.status).toBe(200);
  const codes = [...res.text.matchAll(/\/entries\/([A-Z0-9-]+)"/g)].map((m) => m[1]!);
  const means = [...res.text.matchAll(/<td class="num strong">([^<]+)<\/td>/g)].map((m) => m[1]!);
  expect(codes.length).toBe(means.length);
  return codes.map((c, i) => [c, means[i]!]);
}

const code = (i: number) => entries[i]!.code;

test('the page is computed once, then served from the cache until the stamp moves', async () => {
  expect(await page()).toEqual([[code(0), '8.50'], [code(1), '7.00'], [code(2), '5.00']]);
  const s = await stamp();
  expect(await cachedStamp()).toBe(s);
  // Served from the cache: a row altered in place (nothing bumps the stamp) shows as altered.
  await execute(db.pool, `UPDATE results_cache_rows SET title = 'Đã lưu' WHERE round_id = $1 AND entry_id = $2`, [round.id, entries[2]!.id]);
  expect((await org.get(`${base}/results`)).text).toContain('Đã lưu');
  // A real change moves the stamp: the next visit recomputes (the altered title is gone).
  await execute(db.pool, 'UPDATE entries SET title = $2 WHERE id = $1', [entries[2]!.id, 'Clip C mới']);
  expect(await stamp()).toBe(s + 1);
  const res = await org.get(`${base}/results`);
  expect(res.text).toContain('Clip C mới');
  expect(res.text).not.toContain('Đã lưu');
  expect(await cachedStamp()).toBe(s + 1);
});

test('a cached hit returns exactly what the direct computation returns, for both methods, filters and pages', async () => {
  const r = await loadRound(db.pool, contest, round.id);
  for (const method of ['plain', 'normalised'] as const) {
    const direct = await computeResults(db.pool, contest, r, { method, pageSize: null });
    const miss = await cachedResults(db.pool, contest, r, { method, pageSize: null });
    const hit = await cachedResults(db.pool, contest, r, { method, pageSize: null });
    expect(miss).toEqual(direct);
    expect(hit).toEqual(direct);
    expect(hit.rows.map((x) => x.code)).toEqual(method === 'plain' ? [code(0), code(1), code(2)] : hit.rows.map((x) => x.code));
    const paged = await cachedResults(db.pool, contest, r, { method, pageSize: 2, page: 2 });
    expect(paged).toEqual(await computeResults(db.pool, contest, r, { method, pageSize: 2, page: 2 }));
    expect(paged.rows.map((x) => x.entry_id)).toEqual([direct.rows[2]!.entry_id]);
    expect([paged.total, paged.pages]).toEqual([3, 2]);
  }
});

test('a judge editing a submitted scoresheet changes the page at the next visit (exact figures)', async () => {
  expect(await page()).toEqual([[code(0), '8.50'], [code(1), '7.00'], [code(2), '5.00']]);
  const before = await stamp();
  const judge = judges[0]!;
  const version = (await one<{ version: number }>(db.pool, 'SELECT version FROM scoresheets WHERE round_id = $1 AND entry_id = $2 AND judge_id = $3', [round.id, entries[2]!.id, judge.id])).version;
  await withTransaction(db.pool, (tx) =>
    saveScoresheet(tx, judge.id, round.id, code(2), { scores: { [round.criteria[0]!.id]: 10, [round.criteria[1]!.id]: 7 }, comment: '', version, submit: true }, staffActor(judge)),
  );
  expect(await stamp()).toBeGreaterThan(before);
  // C: (10, 7) → (2·10 + 7) / 3 = 9.
  expect(await page()).toEqual([[code(2), '9.00'], [code(0), '8.50'], [code(1), '7.00']]);
});

test('reopening a submitted scoresheet, a weight, a tie decision, an entry status, the tie-break rules and a conflict each move the stamp', async () => {
  const r = await loadRound(db.pool, contest, round.id);
  const actor = staffActor(organiser);
  // Scores rounded to 6 decimals, as the ranking compares them (means are float sums: 6.999999999999999).
  const cases: [string, () => Promise<unknown>, (rows: { code: string; score: number | null; rank: number }[]) => void][] = [
    ['reopened', () => execute(db.pool, `UPDATE scoresheets SET status = 'draft', submitted_at = NULL WHERE round_id = $1 AND entry_id = $2`, [round.id, entries[2]!.id]),
      (rows) => expect(rows.map((x) => [x.code, x.score])).toEqual([[code(0), 8.5], [code(1), 7], [code(2), null]])],
    ['resubmitted', () => execute(db.pool, `UPDATE scoresheets SET status = 'submitted', submitted_at = now() WHERE round_id = $1 AND entry_id = $2`, [round.id, entries[2]!.id]),
      (rows) => expect(rows.map((x) => [x.code, x.score])).toEqual([[code(2), 9], [code(0), 8.5], [code(1), 7]])],
    // Equal weights: A (9,9)→9, (9,6)→7.5 → 8.25; B (8,5)→6.5, (7,7)→7 → 6.75; C (10,7)→8.5.
    ['weights', () => execute(db.pool, 'UPDATE criteria SET weight = 1 WHERE round_id = $1', [round.id]),
      (rows) => expect(rows.map((x) => [x.code, x.score])).toEqual([[code(2), 8.5], [code(0), 8.25], [code(1), 6.75]])],
    ['equal again', () => execute(db.pool, `UPDATE scores SET value = 9 WHERE scoresheet_id IN (SELECT id FROM scoresheets WHERE round_id = $1 AND entry_id = $2) AND criterion_id = $3`, [round.id, entries[2]!.id, round.criteria[1]!.id]),
      (rows) => expect(rows.map((x) => [x.code, x.score, x.rank])).toEqual([[code(2), 9.5], [code(0), 8.25], [code(1), 6.75]].map(([c, m], i) => [c, m, i + 1]))],
    ['entry status', () => withTransaction(db.pool, (tx) => changeEntryStatus(tx, { entryId: entries[1]!.id, to: 'withdrawn', actor })),
      (rows) => expect(rows.map((x) => x.code)).toEqual([code(2), code(0)])],
    ['tie-break rules', () => execute(db.pool, `UPDATE contests SET tie_break = '[{"kind": "scoresheets"}]' WHERE id = $1`, [contest.id]),
      (rows) => expect(rows.map((x) => x.code)).toEqual([code(2), code(0)])],
    ['conflict', () => withTransaction(db.pool, (tx) => addConflict(tx, contest.id, { judgeId: judges[1]!.id, entryId: entries[0]!.id, reason: 'Người quen', source: 'organiser' }, actor)),
      (rows) => expect(rows.map((x) => x.code)).toEqual([code(2), code(0)])],
  ];
  for (const [name, change, check] of cases) {
    await cachedResults(db.pool, contest, r, { pageSize: null });
    const before = await stamp();
    await change();
    expect({ name, moved: (await stamp()) > before }).toEqual({ name, moved: true });
    const fresh = await cachedResults(db.pool, contest, r, { pageSize: null });
    expect(fresh.rows).toEqual((await computeResults(db.pool, contest, r, { pageSize: null })).rows);
    check(fresh.rows);
  }
});

test('an organiser deciding a tie is on the page at the next visit', async () => {
  // Make A and C equal: C's one sheet (10, 9) → 9.5 and A's sheets → (10,9) and (10,9) → 9.5.
  await execute(db.pool, `UPDATE contests SET tie_break = '[]' WHERE id = $1`, [contest.id]);
  await execute(
    db.pool,
    `UPDATE scores SET value = CASE WHEN criterion_id = $3 THEN 10 ELSE 9 END
      WHERE scoresheet_id IN (SELECT id FROM scoresheets WHERE round_id = $1 AND entry_id = $2)`,
    [round.id, entries[0]!.id, round.criteria[0]!.id],
  );
  contest = (await findContestById(db.pool, contest.id))!;
  const r = await loadRound(db.pool, contest, round.id);
  const tied = (await cachedResults(db.pool, contest, r, { pageSize: null })).rows.map((x) => [x.code, x.score, x.rank, x.tied]);
  expect(tied).toEqual([[code(0), 9.5, 1, true], [code(2), 9.5, 1, true]]);
  await decideTie(db.pool, contest, r, [entries[2]!.id, entries[0]!.id], staffActor(organiser));
  const decided = (await cachedResults(db.pool, contest, r, { pageSize: null })).rows.map((x) => [x.code, x.rank, x.tied, x.manual_position]);
  expect(decided).toEqual([[code(2), 1, false, 1], [code(0), 2, false, 2]]);
  expect(await page()).toEqual([[code(2), '9.50'], [code(0), '9.50']]);
});

test('a draft saved (autosave) leaves the stamp and the cache alone; submitting it moves them', async () => {
  const judge = judges[1]!;
  const d = await createEntry(db, contest, { status: 'eligible', title: 'Clip D' });
  await execute(db.pool, 'INSERT INTO assignments (round_id, entry_id, judge_id) VALUES ($1, $2, $3)', [round.id, d.id, judge.id]);
  expect(await page()).toEqual([[code(2), '9.50'], [code(0), '9.50'], [d.code, '—']]);
  const before = await stamp();
  const save = (version: number, scores: number[], submit: boolean) =>
    withTransaction(db.pool, (tx) =>
      saveScoresheet(tx, judge.id, round.id, d.code, { scores: Object.fromEntries(scores.map((v, i) => [round.criteria[i]!.id, v])), comment: 'nháp', version, submit }, staffActor(judge)),
    );
  await save(0, [3], false);
  await save(1, [4, 1], false);
  expect(await stamp()).toBe(before);
  expect(await cachedStamp()).toBe(before);
  await save(2, [4, 1], true);
  expect(await stamp()).toBeGreaterThan(before);
  // D: (4, 1) with equal weights → 2.5.
  expect(await page()).toEqual([[code(2), '9.50'], [code(0), '9.50'], [d.code, '2.50']]);
});

test('an entry that is not rankable (received, being numbered or edited) moves nothing; screened eligible, it does', async () => {
  await page();
  const before = await stamp();
  const e = await createEntry(db, contest, { status: 'received', title: 'Clip E' });
  await execute(db.pool, `UPDATE entries SET title = 'Clip E sửa', code = code || 'X' WHERE id = $1`, [e.id]);
  expect(await stamp()).toBe(before);
  await withTransaction(db.pool, (tx) => changeEntryStatus(tx, { entryId: e.id, to: 'eligible', actor: staffActor(organiser) }));
  expect(await stamp()).toBe(before + 1);
  expect((await page()).map(([c]) => c)).toContain(`${e.code}X`);
});

// Last: the eligible entry it adds would change the pages the tests above check.
test('an entry inserted already rankable moves the stamp; a submission (received) leaves it', async () => {
  const s0 = await stamp();
  await createEntry(db, contest, { status: 'received' });
  expect(await stamp()).toBe(s0);
  await createEntry(db, contest, { status: 'eligible' });
  expect(await stamp()).toBe(s0 + 1);
});
