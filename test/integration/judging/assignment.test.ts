import { resetDb, testDb } from '../../helpers/db';
import { createStaff } from '../../helpers/factories';
import { createContest } from '../../helpers/factories/contests';
import { createJudgingEntriesBulk } from '../../helpers/factories/judging';
import { one, rows, withTransaction } from '../../../src/db';
import { addConflict, addJudge, openRound, refreshRound } from '../../../src/judging/service';

const db = testDb();
const actor = { id: null, label: 'test' };

beforeAll(() => resetDb(db.pool));
afterAll(() => db.close());

async function roundWith(judges: number, n: number | null, prefix: string) {
  const contest = await createContest(db, { state: 'judging', code_prefix: prefix });
  const panel = [];
  for (let i = 0; i < judges; i++) panel.push(await createStaff(db, { role: 'judge' }));
  const round = await one<{ id: number }>(
    db.pool,
    `INSERT INTO rounds (contest_id, position, name, kind, assignment_mode, judges_per_entry) VALUES ($1, 1, 'R', 'scoring', $2, $3) RETURNING id`,
    [contest.id, n === null ? 'all' : 'n_per_entry', n],
  );
  await db.pool.query(`INSERT INTO criteria (round_id, name, weight) VALUES ($1, 'C', 100)`, [round.id]);
  for (const j of panel) await db.pool.query('INSERT INTO round_judges (round_id, judge_id) VALUES ($1, $2)', [round.id, j.id]);
  return { contest, panel, roundId: round.id };
}

const loads = (roundId: number) =>
  rows<{ judge_id: number; n: number }>(db.pool, 'SELECT judge_id, count(*)::int AS n FROM assignments WHERE round_id = $1 GROUP BY judge_id ORDER BY judge_id', [roundId]);
const snapshot = (roundId: number) =>
  rows<{ entry_id: number; judge_id: number }>(db.pool, 'SELECT entry_id, judge_id FROM assignments WHERE round_id = $1 ORDER BY entry_id, judge_id', [roundId]);

describe('assignment', () => {
  test('1,000 entries, 7 judges, N = 3, with organisation and entry conflicts: loads 428/429, three distinct judges each, no conflicted pair', async () => {
    const { contest, panel, roundId } = await roundWith(7, 3, 'AS1');
    const ids = await createJudgingEntriesBulk(db, contest, 1000, 10); // every 10th entrant works at "Org X"
    await withTransaction(db.pool, async (tx) => {
      await addConflict(tx, contest.id, { judgeId: panel[0]!.id, organisation: 'org x', reason: 'works there', source: 'organiser' }, actor);
      for (const id of ids.slice(0, 5)) await addConflict(tx, contest.id, { judgeId: panel[1]!.id, entryId: id, reason: 'relative', source: 'organiser' }, actor);
    });
    const r = await withTransaction(db.pool, (tx) => openRound(tx, roundId, actor));
    expect(r).toEqual({ entries: 1000, assigned: 3000 });
    const l = await loads(roundId);
    expect(l.map((x) => x.n).sort()).toEqual([428, 428, 428, 429, 429, 429, 429]);
    const perEntry = await rows<{ n: number; d: number }>(db.pool, 'SELECT count(*)::int AS n, count(DISTINCT judge_id)::int AS d FROM assignments WHERE round_id = $1 GROUP BY entry_id', [roundId]);
    expect(perEntry.length).toBe(1000);
    expect(perEntry.every((p) => p.n === 3 && p.d === 3)).toBe(true);
    const bad = await rows(db.pool, 'SELECT a.id FROM assignments a WHERE a.round_id = $1 AND judging_conflicted(a.judge_id, a.entry_id)', [roundId]);
    expect(bad).toEqual([]);
    const orgEntries = await one<{ n: number }>(db.pool,
      `SELECT count(*)::int AS n FROM assignments a JOIN entries e ON e.id = a.entry_id JOIN entrants en ON en.id = e.entrant_id
        WHERE a.round_id = $1 AND a.judge_id = $2 AND en.organisation = 'Org X'`, [roundId, panel[0]!.id]);
    expect(orgEntries.n).toBe(0);

    // Re-running assigns nothing and changes nothing.
    const before = await snapshot(roundId);
    const again = await withTransaction(db.pool, (tx) => refreshRound(tx, roundId, actor));
    expect(again).toEqual({ entries: 0, assigned: 0 });
    expect(await snapshot(roundId)).toEqual(before);

    // New eligible entries: only they are assigned (3 judges each), the old ones stay put, loads still within one.
    await createJudgingEntriesBulk(db, contest, 10);
    const added = await withTransaction(db.pool, (tx) => refreshRound(tx, roundId, actor));
    expect(added.entries).toBe(10);
    expect(added.assigned).toBe(30);
    const after = await snapshot(roundId);
    expect(after.filter((a) => before.some((b) => b.entry_id === a.entry_id && b.judge_id === a.judge_id)).length).toBe(3000);
    const l2 = (await loads(roundId)).map((x) => x.n);
    expect(Math.max(...l2) - Math.min(...l2)).toBeLessThanOrEqual(1);
    expect(l2.reduce((a, b) => a + b, 0)).toBe(3030);
    // Every judge's queue array (the scoring screen's "12 / 45") matches their assignments.
    const queues = await rows<{ ok: boolean; n: number }>(db.pool,
      `SELECT rj.queue = coalesce((SELECT array_agg(a.entry_id ORDER BY a.entry_id) FROM assignments a WHERE a.round_id = rj.round_id AND a.judge_id = rj.judge_id), '{}') AS ok,
              cardinality(rj.queue) AS n
         FROM round_judges rj WHERE rj.round_id = $1 ORDER BY rj.judge_id`, [roundId]);
    expect(queues.map((x) => x.ok)).toEqual([true, true, true, true, true, true, true]);
    expect(queues.map((x) => x.n)).toEqual(l2);
  });

  test('deterministic: the same data gives the same assignments', async () => {
    const a = await roundWith(4, 2, 'AS2');
    await createJudgingEntriesBulk(db, a.contest, 50);
    await withTransaction(db.pool, (tx) => openRound(tx, a.roundId, actor));
    const first = await snapshot(a.roundId);
    await db.pool.query('DELETE FROM assignments WHERE round_id = $1', [a.roundId]);
    await db.pool.query('SELECT judging_assign($1, 2)', [a.roundId]);
    expect(await snapshot(a.roundId)).toEqual(first);
    expect((await loads(a.roundId)).map((x) => x.n)).toEqual([25, 25, 25, 25]);
  });

  test('a judge added to an open round takes over unscored assignments until loads are balanced; scored ones never move', async () => {
    const { contest, roundId } = await roundWith(3, 1, 'AS3');
    await createJudgingEntriesBulk(db, contest, 30);
    await withTransaction(db.pool, (tx) => openRound(tx, roundId, actor));
    expect((await loads(roundId)).map((x) => x.n)).toEqual([10, 10, 10]);
    // Every assignment of the first judge already has a scoresheet.
    const first = (await loads(roundId))[0]!.judge_id;
    await db.pool.query(
      `INSERT INTO scoresheets (assignment_id, round_id, entry_id, judge_id, status) SELECT id, round_id, entry_id, judge_id, 'draft' FROM assignments WHERE round_id = $1 AND judge_id = $2`,
      [roundId, first],
    );
    const newcomer = await createStaff(db, { role: 'judge' });
    await withTransaction(db.pool, (tx) => addJudge(tx, roundId, newcomer.id, actor));
    const l = await loads(roundId);
    expect(l.find((x) => x.judge_id === first)!.n).toBe(10);
    expect(l.map((x) => x.n).sort((a, b) => a - b)).toEqual([6, 7, 7, 10]);
    expect(l.find((x) => x.judge_id === newcomer.id)!.n).toBe(6);
  });

  test('mode "all": every judge gets every entry except their conflicts', async () => {
    const { contest, panel, roundId } = await roundWith(3, null, 'AS4');
    const ids = await createJudgingEntriesBulk(db, contest, 4);
    await withTransaction(db.pool, (tx) => addConflict(tx, contest.id, { judgeId: panel[2]!.id, entryId: ids[0]!, reason: '', source: 'organiser' }, actor));
    await withTransaction(db.pool, (tx) => openRound(tx, roundId, actor));
    expect((await loads(roundId)).map((x) => x.n)).toEqual([4, 4, 3]);
  });

  test('an organiser conflict on an open round moves the unscored assignment to another judge', async () => {
    const { contest, panel, roundId } = await roundWith(2, 1, 'AS5');
    const [id] = await createJudgingEntriesBulk(db, contest, 1);
    await withTransaction(db.pool, (tx) => openRound(tx, roundId, actor));
    const holder = (await snapshot(roundId))[0]!.judge_id;
    const other = panel.find((p) => p.id !== holder)!.id;
    const r = await withTransaction(db.pool, (tx) => addConflict(tx, contest.id, { judgeId: holder, entryId: id!, reason: '', source: 'organiser' }, actor));
    expect(r).toEqual({ moved: 1 });
    expect(await snapshot(roundId)).toEqual([{ entry_id: id, judge_id: other }]);
  });
});
