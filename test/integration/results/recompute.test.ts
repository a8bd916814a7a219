import { resetDb, testDb } from '../../helpers/db';
import { createStaff } from '../../helpers/factories';
import { createResultsContest, createResultsRound } from '../../helpers/factories/results';
import { execute, rows } from '../../../src/db';
import { findContestById } from '../../../src/contests/queries';
import { computeResults, loadRound, type Method } from '../../../src/results/service';

/**
 * A random contest of 500 entries: the SQL results must equal a straightforward recomputation
 * written here in plain TypeScript, for both methods, tie-breaks and ties included.
 */
const db = testDb();
beforeAll(() => resetDb(db.pool));
afterAll(() => db.close());

function mulberry32(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sdPop = (xs: number[]) => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
};
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const k = s.length >> 1;
  return s.length % 2 ? s[k]! : (s[k - 1]! + s[k]!) / 2;
};
const r6 = (x: number) => Math.round(x * 1e6) / 1e6;

test('500 random entries: SQL results equal the recomputation', async () => {
  const rand = mulberry32(20211119);
  const contest0 = await createResultsContest(db, { state: 'judging' });
  const specs = [
    { name: 'Nội dung', weight: 3, min: 1, max: 10 },
    { name: 'Cảm xúc', weight: 2, min: 1, max: 10 },
    { name: 'Kỹ thuật', weight: 1, min: 0, max: 5 },
  ];
  const round = await createResultsRound(db, contest0, { criteria: specs });
  await execute(db.pool, 'UPDATE contests SET tie_break = $2 WHERE id = $1', [contest0.id, JSON.stringify([{ kind: 'criterion', criterionName: 'Cảm xúc' }, { kind: 'scoresheets' }])]);
  const contest = (await findContestById(db.pool, contest0.id))!;
  const judges: number[] = [];
  for (let i = 0; i < 6; i++) judges.push((await createStaff(db)).id);

  const N = 500;
  const entrants = await rows<{ id: number }>(
    db.pool,
    `INSERT INTO entrants (contest_id, full_name, email) SELECT $1, 'Thí sinh ' || g, 'r' || g || '@example.test' FROM generate_series(1, $2::int) g RETURNING id`,
    [contest.id, N],
  );
  const entries = await rows<{ id: number }>(
    db.pool,
    `INSERT INTO entries (contest_id, entrant_id, seq, code, title, tiktok_url_input, status, consent_at, consent_rules_version)
     SELECT $1, t.id, t.n, $3 || '-' || lpad(t.n::text, 5, '0'), 'Clip ' || t.n, 'https://www.tiktok.com/@u/video/' || t.n, 'eligible', now(), 1
       FROM unnest($2::bigint[]) WITH ORDINALITY AS t(id, n) ORDER BY t.n RETURNING id`,
    [contest.id, entrants.map((e) => e.id), contest.code_prefix],
  );
  // Each entry: 2 or 3 judges out of 6; one in ten assignments left as a draft or not started.
  const aEntry: number[] = [];
  const aJudge: number[] = [];
  const sheetPlan: { entry: number; judge: number; status: 'draft' | 'submitted' | 'none'; values: number[] }[] = [];
  for (const e of entries) {
    const k = rand() < 0.5 ? 2 : 3;
    const pool = [...judges].sort(() => rand() - 0.5).slice(0, k);
    for (const j of pool) {
      aEntry.push(e.id);
      aJudge.push(j);
      const r = rand();
      sheetPlan.push({
        entry: e.id, judge: j, status: r < 0.05 ? 'none' : r < 0.1 ? 'draft' : 'submitted',
        values: specs.map((c) => c.min + Math.floor(rand() * (c.max - c.min + 1))),
      });
    }
  }
  const assignments = await rows<{ id: number; entry_id: number; judge_id: number }>(
    db.pool,
    `INSERT INTO assignments (round_id, entry_id, judge_id) SELECT $1, e, j FROM unnest($2::bigint[], $3::bigint[]) AS t(e, j) RETURNING id, entry_id, judge_id`,
    [round.id, aEntry, aJudge],
  );
  const aid = new Map(assignments.map((a) => [`${a.entry_id}:${a.judge_id}`, a.id]));
  const withSheet = sheetPlan.filter((p) => p.status !== 'none');
  const sheets = await rows<{ id: number; assignment_id: number }>(
    db.pool,
    `INSERT INTO scoresheets (assignment_id, round_id, entry_id, judge_id, status, submitted_at)
     SELECT a, $1, e, j, s, CASE WHEN s = 'submitted' THEN now() END FROM unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::text[]) AS t(a, e, j, s)
     RETURNING id, assignment_id`,
    [round.id, withSheet.map((p) => aid.get(`${p.entry}:${p.judge}`)), withSheet.map((p) => p.entry), withSheet.map((p) => p.judge), withSheet.map((p) => p.status)],
  );
  const sid = new Map(sheets.map((s) => [s.assignment_id, s.id]));
  const sS: number[] = [];
  const sC: number[] = [];
  const sV: number[] = [];
  for (const p of withSheet) {
    p.values.forEach((v, i) => {
      sS.push(sid.get(aid.get(`${p.entry}:${p.judge}`)!)!);
      sC.push(round.criteria[i]!.id);
      sV.push(v);
    });
  }
  await execute(db.pool, 'INSERT INTO scores (scoresheet_id, criterion_id, value) SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::numeric[])', [sS, sC, sV]);

  // The recomputation.
  const smin = Math.min(...specs.map((c) => c.min));
  const smax = Math.max(...specs.map((c) => c.max));
  const sumW = specs.reduce((a, c) => a + c.weight, 0);
  const submitted = sheetPlan.filter((p) => p.status === 'submitted').map((p) => ({
    ...p,
    total: smin + (smax - smin) * specs.reduce((a, c, i) => a + (c.weight * (p.values[i]! - c.min)) / (c.max - c.min), 0) / sumW,
  }));
  const all = submitted.map((s) => s.total);
  const rmean = mean(all);
  const rsd = sdPop(all);
  const byJudge = new Map<number, number[]>();
  for (const s of submitted) byJudge.set(s.judge, [...(byJudge.get(s.judge) ?? []), s.total]);
  const jstat = new Map([...byJudge].map(([j, xs]) => [j, { m: mean(xs), sd: sdPop(xs) }]));
  const expected = entries.map((e) => {
    const mine = submitted.filter((s) => s.entry === e.id);
    const totals = mine.map((s) => s.total);
    const norm = mine.map((s) => {
      const js = jstat.get(s.judge)!;
      const z = js.sd > 1e-9 ? (s.total - js.m) / js.sd : 0;
      return Math.max(smin, Math.min(smax, rmean + rsd * z));
    });
    return {
      entry_id: e.id,
      sheets: mine.length,
      missing: sheetPlan.filter((p) => p.entry === e.id).length - mine.length,
      mean: totals.length ? mean(totals) : null,
      median: totals.length ? median(totals) : null,
      min: totals.length ? Math.min(...totals) : null,
      max: totals.length ? Math.max(...totals) : null,
      sd: totals.length ? sdPop(totals) : null,
      normalised: norm.length ? mean(norm) : null,
      key: [mine.length ? r6(mean(mine.map((s) => s.values[1]!))) : -1, mine.length],
    };
  });

  for (const method of ['plain', 'normalised'] as Method[]) {
    const score = (x: (typeof expected)[number]) => (method === 'plain' ? x.mean : x.normalised);
    const cmp = (a: (typeof expected)[number], b: (typeof expected)[number]) => {
      const sa = score(a) === null ? null : r6(score(a)!);
      const sb = score(b) === null ? null : r6(score(b)!);
      if (sa !== sb) return sa === null ? 1 : sb === null ? -1 : sb - sa;
      for (let i = 0; i < a.key.length; i++) if (a.key[i] !== b.key[i]) return b.key[i]! - a.key[i]!;
      return 0;
    };
    const ranks = new Map(expected.map((x) => [x.entry_id, { rank: 1 + expected.filter((y) => cmp(y, x) < 0).length, tied: score(x) !== null && expected.some((y) => y !== x && cmp(x, y) === 0) }]));
    const sql = await computeResults(db.pool, contest, await loadRound(db.pool, contest, round.id), { method, pageSize: null });
    expect(sql.total).toBe(N);
    const got = new Map(sql.rows.map((r) => [r.entry_id, r]));
    for (const x of expected) {
      const r = got.get(x.entry_id)!;
      expect({ id: x.entry_id, sheets: r.sheets, missing: r.missing, rank: r.rank, tied: r.tied }).toEqual({ id: x.entry_id, sheets: x.sheets, missing: x.missing, ...ranks.get(x.entry_id)! });
      for (const k of ['mean', 'median', 'min', 'max', 'sd', 'normalised'] as const) {
        if (x[k] === null) expect(r[k]).toBeNull();
        else expect(Math.abs(r[k]! - x[k]!)).toBeLessThan(1e-9);
      }
    }
    // The data has equal scores separated by the tie-break rules, and a spread of ranks, so the comparison means something.
    if (method === 'plain') {
      expect(sql.rows.some((r, i) => i > 0 && r.score !== null && r.score === sql.rows[i - 1]!.score && r.rank !== sql.rows[i - 1]!.rank)).toBe(true);
    }
    expect(new Set(sql.rows.map((r) => r.rank)).size).toBeGreaterThan(300);
  }
});
