import { resetDb, testDb } from '../../helpers/db';
import { createEntry, createStaff } from '../../helpers/factories';
import {
  addResultsScoresheet, addResultsSnapshot, createResultsCategory, createResultsContest, createResultsPrizeTier, createResultsRound,
} from '../../helpers/factories/results';
import { execute, one, rows } from '../../../src/db';
import { findContestById, type ContestRow } from '../../../src/contests/queries';
import { staffActor } from '../../../src/audit/service';
import { computeResults, loadRound, promoteEntries } from '../../../src/results/service';
import {
  addAward, listAwards, publicWinners, publishWinners, removeAward, replaceAward, suggestWinners, unpublishWinners, winnersListState,
} from '../../../src/results/winners';

const db = testDb();
beforeAll(() => resetDb(db.pool));
afterAll(() => db.close());

const statusOf = async (id: number) => (await one<{ status: string }>(db.pool, 'SELECT status FROM entries WHERE id = $1', [id])).status;
const reload = async (c: ContestRow) => (await findContestById(db.pool, c.id))!;

describe('promotion to the next round', () => {
  test('top N takes a tie at the cut-off whole, shortlists and audits; per category and hand-picked too', async () => {
    const contest = await createResultsContest(db, { state: 'judging' });
    const org = await createStaff(db, { role: 'organiser' });
    const actor = staffActor(org);
    const a = await createResultsCategory(db, contest, 'Tuyến đầu');
    const b = await createResultsCategory(db, contest, 'Cộng đồng', 1);
    const r1 = await createResultsRound(db, contest, { position: 1 });
    const r2 = await createResultsRound(db, contest, { position: 2, entrySource: 'promoted', state: 'draft' });
    const j = await createStaff(db);
    const scores = [9, 8, 8, 5, 7];
    const cats = [a.id, a.id, b.id, b.id, b.id];
    const e = [];
    for (const [i, s] of scores.entries()) {
      const entry = await createEntry(db, contest, { status: 'eligible', category_id: cats[i] });
      await addResultsScoresheet(db, r1, entry.id, j.id, [s]);
      e.push(entry);
    }
    const from = await loadRound(db.pool, contest, r1.id);
    const top2 = await promoteEntries(db.pool, contest, from, { kind: 'top', n: 2 }, actor);
    expect(top2.promoted).toEqual([e[0]!.code, e[1]!.code, e[2]!.code]); // 9, 8, 8: ranks 1, 2, 2
    expect(top2.target.id).toBe(r2.id);
    expect(await statusOf(e[1]!.id)).toBe('shortlisted');
    expect(await statusOf(e[3]!.id)).toBe('eligible');
    const perCat = await promoteEntries(db.pool, contest, from, { kind: 'top_per_category', n: 1 }, actor);
    expect(perCat.promoted).toEqual([]); // best of each category already promoted
    const picked = await promoteEntries(db.pool, contest, from, { kind: 'selected', entryIds: [e[4]!.id] }, actor);
    expect(picked.promoted).toEqual([e[4]!.code]);
    const inR2 = await rows<{ code: string }>(db.pool, 'SELECT e.code FROM round_entries re JOIN entries e ON e.id = re.entry_id WHERE re.round_id = $1 ORDER BY e.code', [r2.id]);
    expect(inR2.map((x) => x.code)).toEqual([e[0]!.code, e[1]!.code, e[2]!.code, e[4]!.code]);
    const audit = await rows<{ after: { entries: string[] } }>(db.pool, `SELECT after FROM audit_log WHERE action = 'results.promoted' AND contest_id = $1 ORDER BY id`, [contest.id]);
    expect(audit.map((x) => x.after.entries)).toEqual([[e[0]!.code, e[1]!.code, e[2]!.code], [], [e[4]!.code]]);
    // The last round has no next round.
    await expect(promoteEntries(db.pool, contest, await loadRound(db.pool, contest, r2.id), { kind: 'top', n: 1 }, actor)).rejects.toMatchObject({ code: 'no_next_round' });
  });
});

describe('winners list', () => {
  let contest: ContestRow;
  let e: { id: number; code: string }[];
  let actor: ReturnType<typeof staffActor>;
  let tiers: Record<string, { id: number }>;

  beforeAll(async () => {
    contest = await createResultsContest(db, { state: 'judging', public_fields: ['displayName', 'province', 'nationalId'] });
    actor = staffActor(await createStaff(db, { role: 'organiser' }));
    const cat = await createResultsCategory(db, contest, 'Cộng đồng');
    await createResultsRound(db, contest, { position: 1 });
    const final = await createResultsRound(db, contest, { position: 2 });
    const j = await createStaff(db);
    e = [];
    // Final round scores 9, 8, 7, 6, 5; entry 3 and 4 in the category; entry 5 withdrawn later.
    for (const [i, s] of [9, 8, 7, 6, 5, 4].entries()) {
      const entry = await createEntry(db, contest, {
        status: 'shortlisted', category_id: i === 2 || i === 3 ? cat.id : null,
        display_name: `Thí sinh ${i}`, full_name: `Nguyễn Thị ${i}`, email: `ts${i}@example.test`,
      });
      await execute(db.pool, `UPDATE entrants SET national_id = '001099012345' WHERE id = $1`, [entry.entrant_id]);
      await addResultsScoresheet(db, final, entry.id, j.id, [s]);
      e.push(entry);
    }
    tiers = {
      first: await createResultsPrizeTier(db, contest, { name: 'Giải Nhất', count: 1, position: 1 }),
      second: await createResultsPrizeTier(db, contest, { name: 'Giải Nhì', count: 2, position: 2 }),
      community: await createResultsPrizeTier(db, contest, { name: 'Giải Cộng đồng', count: 1, position: 3, categoryId: cat.id }),
      people: await createResultsPrizeTier(db, contest, {
        name: 'Giải Bình chọn', count: 1, position: 4, decidedBy: 'engagement',
        engagement: { formula: 'views', cutoffAt: '2030-01-01T00:00:00Z' },
      }),
    };
    const at = new Date('2026-01-01T00:00:00Z');
    await addResultsSnapshot(db, contest, e[0]!.id, at, { views: 900000 }); // already awarded: skipped
    await addResultsSnapshot(db, contest, e[5]!.id, at, { views: 500000 });
    await addResultsSnapshot(db, contest, e[4]!.id, at, { views: 100 });
  });

  test('suggestion: tiers in order, one prize per entry, category tiers, people\'s choice from engagement', async () => {
    const report = await suggestWinners(db.pool, contest, actor);
    expect(report).toEqual({ awards: 5, tiesAtCutoff: [], short: [] });
    const awards = await listAwards(db.pool, contest.id);
    expect(awards.map((a) => [a.tier_name, a.code, a.rank, a.source])).toEqual([
      ['Giải Nhất', e[0]!.code, 1, 'suggested'],
      ['Giải Nhì', e[1]!.code, 2, 'suggested'],
      ['Giải Nhì', e[2]!.code, 3, 'suggested'],
      ['Giải Cộng đồng', e[3]!.code, 4, 'suggested'], // entry 2 (rank 3) already has a prize
      ['Giải Bình chọn', e[5]!.code, 2, 'suggested'],
    ]);
  });

  test('overrides need a reason, respect one prize per entry and are audited', async () => {
    const awards = await listAwards(db.pool, contest.id);
    const second = awards.find((a) => a.code === e[2]!.code)!;
    await expect(replaceAward(db.pool, contest, second.id, { entryCode: e[4]!.code, reason: ' ' }, actor)).rejects.toMatchObject({ fieldErrors: { reason: 'winners.reasonRequired' } });
    await expect(replaceAward(db.pool, contest, second.id, { entryCode: e[0]!.code, reason: 'x' }, actor)).rejects.toMatchObject({ fieldErrors: { entryCode: 'winners.onePrize' } });
    await replaceAward(db.pool, contest, second.id, { entryCode: e[4]!.code.toLowerCase(), reason: 'Clip gốc bị trùng' }, actor);
    const added = await addAward(db.pool, contest, { tierId: tiers.community!.id, entryCode: e[2]!.code, reason: 'Hội đồng quyết định thêm' }, actor);
    await removeAward(db.pool, contest, added, 'Nhầm', actor);
    const now = await listAwards(db.pool, contest.id);
    expect(now.map((a) => [a.tier_name, a.code, a.source])).toEqual([
      ['Giải Nhất', e[0]!.code, 'suggested'],
      ['Giải Nhì', e[1]!.code, 'suggested'],
      ['Giải Nhì', e[4]!.code, 'override'],
      ['Giải Cộng đồng', e[3]!.code, 'suggested'],
      ['Giải Bình chọn', e[5]!.code, 'suggested'],
    ]);
    const audit = await rows<{ action: string; reason: string }>(db.pool, `SELECT action, reason FROM audit_log WHERE contest_id = $1 AND action LIKE 'winners.award%' ORDER BY id`, [contest.id]);
    expect(audit).toEqual([
      { action: 'winners.award_overridden', reason: 'Clip gốc bị trùng' },
      { action: 'winners.award_added', reason: 'Hội đồng quyết định thêm' },
      { action: 'winners.award_removed', reason: 'Nhầm' },
    ]);
  });

  test('a withdrawn entry cannot be published; publication flips everything in one transaction', async () => {
    await execute(db.pool, `UPDATE entries SET status = 'withdrawn' WHERE id = $1`, [e[5]!.id]);
    await expect(publishWinners(db.pool, contest, actor)).rejects.toMatchObject({ code: 'entry_not_awardable' });
    expect((await reload(contest)).state).toBe('judging');
    expect(await publicWinners(db.pool, await reload(contest))).toBeUndefined();
    const people = (await listAwards(db.pool, contest.id)).find((a) => a.code === e[5]!.code)!;
    await removeAward(db.pool, contest, people.id, 'Thí sinh rút bài', actor);

    await publishWinners(db.pool, contest, actor);
    contest = await reload(contest);
    expect(contest.state).toBe('results_published');
    expect((await winnersListState(db.pool, contest.id)).state).toBe('published');
    expect(await statusOf(e[0]!.id)).toBe('awarded');
    expect(await statusOf(e[2]!.id)).toBe('shortlisted');
    const pub = await publicWinners(db.pool, contest);
    expect(pub).toEqual([
      { prize: 'Giải Nhất', winners: [{ prize: 'Giải Nhất', code: e[0]!.code, title: expect.any(String), videoId: expect.any(String), rank: 1, entrant: { displayName: 'Thí sinh 0', province: 'Hà Nội' } }] },
      { prize: 'Giải Nhì', winners: [expect.objectContaining({ code: e[1]!.code }), expect.objectContaining({ code: e[4]!.code, rank: null })] },
      { prize: 'Giải Cộng đồng', winners: [expect.objectContaining({ code: e[3]!.code })] },
    ]);
    expect(JSON.stringify(pub)).not.toMatch(/001099012345|@example\.test|\+849|Nguyễn Thị/);

    await expect(publishWinners(db.pool, contest, actor)).rejects.toMatchObject({ code: 'already_published' });
    await expect(removeAward(db.pool, contest, (await listAwards(db.pool, contest.id))[0]!.id, 'x', actor)).rejects.toMatchObject({ code: 'winners_published' });
  });

  test('unpublishing needs a reason, restores the statuses and hides the list again', async () => {
    await expect(unpublishWinners(db.pool, contest, '', actor)).rejects.toMatchObject({ code: 'validation_failed' });
    await unpublishWinners(db.pool, contest, 'Sai tên thí sinh', actor);
    contest = await reload(contest);
    expect(contest.state).toBe('judging');
    expect(await winnersListState(db.pool, contest.id)).toMatchObject({ state: 'draft', unpublished_reason: 'Sai tên thí sinh' });
    expect(await statusOf(e[0]!.id)).toBe('shortlisted');
    expect(await publicWinners(db.pool, contest)).toBeUndefined();
    await expect(unpublishWinners(db.pool, contest, 'again', actor)).rejects.toMatchObject({ code: 'not_published' });
    const log = await rows<{ action: string }>(db.pool, `SELECT action FROM audit_log WHERE contest_id = $1 AND action IN ('winners.published', 'winners.unpublished', 'contest.state_changed') ORDER BY id`, [contest.id]);
    expect(log.map((l) => l.action)).toEqual(['contest.state_changed', 'winners.published', 'contest.state_changed', 'winners.unpublished']);
  });

  test('ties at a tier cut-off are reported, not broken', async () => {
    const c = await createResultsContest(db, { state: 'judging' });
    const r = await createResultsRound(db, c);
    const j = await createStaff(db);
    const x = await createEntry(db, c, { status: 'eligible' });
    const y = await createEntry(db, c, { status: 'eligible' });
    await addResultsScoresheet(db, r, x.id, j.id, [7]);
    await addResultsScoresheet(db, r, y.id, j.id, [7]);
    await createResultsPrizeTier(db, c, { name: 'Giải Nhất', count: 1 });
    const report = await suggestWinners(db.pool, c, actor);
    expect(report.tiesAtCutoff).toEqual([{ tier: 'Giải Nhất', codes: [x.code, y.code] }]);
    const ranked = await computeResults(db.pool, c, await loadRound(db.pool, c, r.id));
    expect(ranked.rows.map((row) => row.rank)).toEqual([1, 1]);
  });
});
