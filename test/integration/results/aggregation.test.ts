import { resetDb, testDb } from '../../helpers/db';
import { createEntry, createStaff } from '../../helpers/factories';
import { addResultsScoresheet, createResultsContest, createResultsRound } from '../../helpers/factories/results';
import { execute, rows } from '../../../src/db';
import { findContestById, type ContestRow } from '../../../src/contests/queries';
import { computeResults, decideTie, loadRound } from '../../../src/results/service';
import { SYSTEM_ACTOR } from '../../../src/audit/service';

const db = testDb();
beforeAll(() => resetDb(db.pool));
afterAll(() => db.close());

const close = (x: number | null, y: number) => {
  expect(x).not.toBeNull();
  expect(x!).toBeCloseTo(y, 6);
};

async function judges(n: number) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(await createStaff(db, { role: 'judge' }));
  return out;
}

test('weighted totals, mean, median with an even count, min, max, spread and missing scoresheets', async () => {
  const contest = await createResultsContest(db, { state: 'judging' });
  const round = await createResultsRound(db, contest, { criteria: [{ name: 'A', weight: 2 }, { name: 'B', weight: 1 }] });
  const [j1, j2, j3] = await judges(3);
  const e1 = await createEntry(db, contest, { status: 'eligible' });
  const e2 = await createEntry(db, contest, { status: 'eligible' });
  const e3 = await createEntry(db, contest, { status: 'eligible' });
  const gone = await createEntry(db, contest, { status: 'withdrawn' });
  await addResultsScoresheet(db, round, e1.id, j1!.id, [8, 5]); // (16 + 5) / 3 = 7
  await addResultsScoresheet(db, round, e1.id, j2!.id, [6, 9]); // (12 + 9) / 3 = 7
  await addResultsScoresheet(db, round, e1.id, j3!.id, [9, 9]); // 9
  await addResultsScoresheet(db, round, e2.id, j1!.id, [5, 5]); // 5
  await addResultsScoresheet(db, round, e2.id, j2!.id, [9, 6]); // (18 + 6) / 3 = 8
  await addResultsScoresheet(db, round, e3.id, j3!.id, [10, 10], 'draft');
  await addResultsScoresheet(db, round, e3.id, j1!.id, null);
  await addResultsScoresheet(db, round, gone.id, j1!.id, [10, 10]);

  const r = await computeResults(db.pool, contest, await loadRound(db.pool, contest, round.id));
  expect(r.total).toBe(3);
  expect(r.rows.map((x) => [x.code, x.rank, x.sheets, x.missing, x.tied, x.spread])).toEqual([
    [e1.code, 1, 3, 0, false, false],
    [e2.code, 2, 2, 0, false, true], // 8 − 5 = 3 ≥ 0.3 × 9
    [e3.code, 3, 0, 2, false, false],
  ]);
  const [a, b, c] = r.rows;
  close(a!.mean, 23 / 3);
  close(a!.median, 7);
  close(a!.min, 7);
  close(a!.max, 9);
  close(a!.sd, Math.sqrt(8 / 9));
  close(b!.mean, 6.5);
  close(b!.median, 6.5);
  close(b!.sd, 1.5);
  expect(c!.mean).toBeNull();
  expect(c!.score).toBeNull();
});

test('criteria on different scales are brought to the round scale before weighting', async () => {
  const contest = await createResultsContest(db, { state: 'judging' });
  const round = await createResultsRound(db, contest, { criteria: [{ name: 'X', min: 0, max: 100 }, { name: 'Y', min: 1, max: 5, weight: 3 }] });
  const [j] = await judges(1);
  const e = await createEntry(db, contest, { status: 'eligible' });
  await addResultsScoresheet(db, round, e.id, j!.id, [50, 3]); // (1·0.5 + 3·0.5) / 4 = 0.5 of [0, 100]
  const r = await computeResults(db.pool, contest, await loadRound(db.pool, contest, round.id));
  close(r.rows[0]!.mean, 50);
});

test('per-judge normalisation: a judge who gave everyone the same score counts as average', async () => {
  const contest = await createResultsContest(db, { state: 'judging' });
  const round = await createResultsRound(db, contest);
  const [j1, j2] = await judges(2);
  const p = await createEntry(db, contest, { status: 'eligible' });
  const q = await createEntry(db, contest, { status: 'eligible' });
  await addResultsScoresheet(db, round, p.id, j1!.id, [8]);
  await addResultsScoresheet(db, round, q.id, j1!.id, [6]);
  await addResultsScoresheet(db, round, p.id, j2!.id, [4]);
  await addResultsScoresheet(db, round, q.id, j2!.id, [4]);
  // Totals 8, 6, 4, 4: round mean 5.5, population sd √(11/4). Judge 1: mean 7, sd 1 → z = ±1. Judge 2: sd 0 → z = 0.
  const rsd = Math.sqrt(11 / 4);
  const r = await computeResults(db.pool, contest, await loadRound(db.pool, contest, round.id), { method: 'normalised' });
  expect(r.rows.map((x) => x.code)).toEqual([p.code, q.code]);
  close(r.rows[0]!.normalised, (5.5 + rsd + 5.5) / 2);
  close(r.rows[1]!.normalised, (5.5 - rsd + 5.5) / 2);
  close(r.rows[0]!.score, Number(((5.5 + rsd + 5.5) / 2).toFixed(6)));
  close(r.rows[0]!.mean, 6);
  close(r.rows[1]!.mean, 5);
});

describe('ties', () => {
  let contest: ContestRow;
  let roundId: number;
  let e: { id: number; code: string }[];
  beforeAll(async () => {
    contest = await createResultsContest(db, { state: 'judging' });
    const round = await createResultsRound(db, contest, { criteria: [{ name: 'Ý tưởng' }, { name: 'Cảm xúc' }] });
    roundId = round.id;
    const [j1, j2] = await judges(2);
    e = [];
    for (let i = 0; i < 4; i++) e.push(await createEntry(db, contest, { status: 'eligible' }));
    await addResultsScoresheet(db, round, e[0]!.id, j1!.id, [8, 6]); // 7, Cảm xúc 6, 1 sheet
    await addResultsScoresheet(db, round, e[1]!.id, j1!.id, [6, 8]); // 7, Cảm xúc 8, 1 sheet
    await addResultsScoresheet(db, round, e[2]!.id, j1!.id, [7, 7]); // 7, Cảm xúc 7, 2 sheets
    await addResultsScoresheet(db, round, e[2]!.id, j2!.id, [7, 7]);
    await addResultsScoresheet(db, round, e[3]!.id, j2!.id, [6, 8]); // 7, Cảm xúc 8, 1 sheet
  });

  test('without rules every equal score shares the rank and is flagged, never split by id', async () => {
    const r = await computeResults(db.pool, contest, await loadRound(db.pool, contest, roundId));
    expect(r.rows.map((x) => [x.rank, x.tied])).toEqual([[1, true], [1, true], [1, true], [1, true]]);
  });

  test('the contest rules apply in order; what remains tied is flagged, and the organiser decides (audited)', async () => {
    await execute(db.pool, `UPDATE contests SET tie_break = $2 WHERE id = $1`, [contest.id, JSON.stringify([{ kind: 'criterion', criterionName: 'Cảm xúc' }, { kind: 'scoresheets' }])]);
    contest = (await findContestById(db.pool, contest.id))!;
    const round = await loadRound(db.pool, contest, roundId);
    let r = await computeResults(db.pool, contest, round);
    expect(r.rows.map((x) => [x.code, x.rank, x.tied])).toEqual([
      [e[1]!.code, 1, true],
      [e[3]!.code, 1, true],
      [e[2]!.code, 3, false],
      [e[0]!.code, 4, false],
    ]);
    r = await computeResults(db.pool, contest, round, { tiedOnly: true });
    expect(r.total).toBe(2);

    await expect(decideTie(db.pool, contest, round, [e[2]!.id, e[0]!.id], SYSTEM_ACTOR)).rejects.toMatchObject({ code: 'not_tied' });
    await decideTie(db.pool, contest, round, [e[3]!.id, e[1]!.id], SYSTEM_ACTOR);
    r = await computeResults(db.pool, contest, round);
    expect(r.rows.map((x) => [x.code, x.rank, x.tied])).toEqual([
      [e[3]!.code, 1, false],
      [e[1]!.code, 2, false],
      [e[2]!.code, 3, false],
      [e[0]!.code, 4, false],
    ]);
    const audit = await rows<{ after: unknown }>(db.pool, `SELECT after FROM audit_log WHERE action = 'results.tie_decided' AND subject_id = $1`, [String(roundId)]);
    expect(audit).toEqual([{ after: { order: [e[3]!.code, e[1]!.code] } }]);
  });
});

describe('tie-break rules: higher median, smaller spread', () => {
  // One criterion on 1–10, three judges; every entry's mean is 7.
  //   E1: 6, 7, 8 → median 7, sd √(2/3) ≈ 0.816497     E2: 5, 8, 8 → median 8, sd √2 ≈ 1.414214
  //   E3: 7, 7, 7 → median 7, sd 0                     E4: 4, 8, 9 → median 8, sd √(14/3) ≈ 2.160247
  let contest: ContestRow;
  let roundId: number;
  let e: { id: number; code: string }[];
  beforeAll(async () => {
    contest = await createResultsContest(db, { state: 'judging' });
    const round = await createResultsRound(db, contest);
    roundId = round.id;
    const js = await judges(3);
    e = [];
    for (const values of [[6, 7, 8], [5, 8, 8], [7, 7, 7], [4, 8, 9]]) {
      const entry = await createEntry(db, contest, { status: 'eligible' });
      for (const [i, v] of values.entries()) await addResultsScoresheet(db, round, entry.id, js[i]!.id, [v]);
      e.push(entry);
    }
  });

  const ranking = async (rules: unknown[]) => {
    await execute(db.pool, 'UPDATE contests SET tie_break = $2 WHERE id = $1', [contest.id, JSON.stringify(rules)]);
    contest = (await findContestById(db.pool, contest.id))!;
    const r = await computeResults(db.pool, contest, await loadRound(db.pool, contest, roundId));
    return r.rows.map((x) => [x.code, x.rank, x.tied, x.tie_key]);
  };
  const code = (i: number) => e[i]!.code;

  test('higher median, then smaller spread: no tie left', async () => {
    expect(await ranking([{ kind: 'median' }, { kind: 'spread' }])).toEqual([
      [code(1), 1, false, [8, -1.414214, 0]],
      [code(3), 2, false, [8, -2.160247, 0]],
      [code(2), 3, false, [7, 0, 0]],
      [code(0), 4, false, [7, -0.816497, 0]],
    ]);
  });

  test('the median alone leaves two ties, shared ranks 1, 1, 3, 3', async () => {
    expect(await ranking([{ kind: 'median' }])).toEqual([
      [code(1), 1, true, [8, 0, 0]],
      [code(3), 1, true, [8, 0, 0]],
      [code(0), 3, true, [7, 0, 0]],
      [code(2), 3, true, [7, 0, 0]],
    ]);
  });

  test('smaller spread alone: the judges who agree come first', async () => {
    expect(await ranking([{ kind: 'spread' }])).toEqual([
      [code(2), 1, false, [0, 0, 0]],
      [code(0), 2, false, [-0.816497, 0, 0]],
      [code(1), 3, false, [-1.414214, 0, 0]],
      [code(3), 4, false, [-2.160247, 0, 0]],
    ]);
  });

  test('more scoresheets before the median: equal counts fall through to the median', async () => {
    expect((await ranking([{ kind: 'scoresheets' }, { kind: 'median' }])).map((x) => [x[0], x[1], x[2]])).toEqual([
      [code(1), 1, true],
      [code(3), 1, true],
      [code(0), 3, true],
      [code(2), 3, true],
    ]);
  });
});
