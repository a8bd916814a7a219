import type { Express } from 'express';
import type TestAgent from 'supertest/lib/agent';
import { makeApp, agentAs, csrfFrom } from '../../helpers/app';
import { resetDb, testConfig, testDb } from '../../helpers/db';
import { createStaff } from '../../helpers/factories';
import { createContest, createEntry } from '../../helpers/factories/contests';
import { createJudgingRound } from '../../helpers/factories/judging';
import { one, rows, withTransaction } from '../../../src/db';
import { openRound, saveScoresheet } from '../../../src/judging/service';

const db = testDb();
let app: Express;
let org: TestAgent;
let orgUser: { id: number; email: string };
const actor = { id: null, label: 'test' };

beforeAll(async () => {
  await resetDb(db.pool);
  app = makeApp(db, testConfig());
  ({ agent: org, user: orgUser } = await agentAs(app, db, 'organiser'));
});
afterAll(() => db.close());

async function post(url: string, body: Record<string, unknown>, tokenPage: string) {
  const token = csrfFrom((await org.get(tokenPage)).text);
  return org.post(url).type('form').send({ _csrf: token, ...body });
}

describe('screening', () => {
  test('lists received entries with filters and pagination; approves and rejects one by one with a reason; audited', async () => {
    const contest = await createContest(db, { code_prefix: 'SCR' });
    const entries = [];
    for (let i = 0; i < 53; i++) entries.push(await createEntry(db, contest, { link_status: i < 3 ? 'to_verify' : 'ok', title: i === 7 ? 'Bữa cơm đặc biệt' : `Clip ${i}` }));
    await createEntry(db, contest, { status: 'eligible' });
    const base = `/organiser/contests/${contest.slug}/screening`;
    const p1 = await org.get(base);
    expect(p1.status).toBe(200);
    expect(p1.text).toContain('53 bài khớp bộ lọc');
    expect(p1.text).toContain('Trang 1 / 2');
    expect((p1.text.match(/name="ids"/g) ?? []).length).toBe(50);
    const p2 = await org.get(`${base}?page=2`);
    expect((p2.text.match(/name="ids"/g) ?? []).length).toBe(3);
    expect((await org.get(`${base}?link=to_verify`)).text).toContain('3 bài khớp bộ lọc');
    expect((await org.get(`${base}?q=bua com`)).text).toContain('1 bài khớp bộ lọc');

    await post(`${base}/reasons`, { defaults: '1' }, base);
    const reasons = await rows<{ id: number; label: string }>(db.pool, 'SELECT id, label FROM screening_reasons WHERE contest_id = $1 ORDER BY position', [contest.id]);
    expect(reasons.length).toBe(6);
    const noReason = await post(`${base}/decide`, { decision: 'not_eligible', ids: String(entries[0]!.id), scope: 'selected' }, base);
    expect(noReason.status).toBe(303);
    expect((await one<{ status: string }>(db.pool, 'SELECT status FROM entries WHERE id = $1', [entries[0]!.id])).status).toBe('received');

    const rej = await post(`${base}/decide`, { decision: 'not_eligible', reasonId: reasons[5]!.id, note: 'Link chết', ids: String(entries[0]!.id), scope: 'selected' }, base);
    expect(rej.status).toBe(303);
    const e0 = await one(db.pool, 'SELECT status, screening_reason_id, screening_note, screened_by FROM entries WHERE id = $1', [entries[0]!.id]);
    expect(e0).toEqual({ status: 'not_eligible', screening_reason_id: reasons[5]!.id, screening_note: 'Link chết', screened_by: orgUser.id });
    const audit = await rows(db.pool, `SELECT action, before, after FROM audit_log WHERE subject_type = 'entry' AND subject_id = $1`, [String(entries[0]!.id)]);
    expect(audit).toEqual([{ action: 'entry.status_changed', before: { status: 'received' }, after: { status: 'not_eligible', reasonId: reasons[5]!.id } }]);
    const page = await org.get(`${base}?status=not_eligible`);
    expect(page.text).toContain('Liên kết không hoạt động / Link does not work');
  });

  test('bulk action on the filtered list (all "link to verify") changes exactly those entries', async () => {
    const contest = await createContest(db, { code_prefix: 'SCB' });
    for (let i = 0; i < 6; i++) await createEntry(db, contest, { link_status: i % 2 ? 'to_verify' : 'ok' });
    const base = `/organiser/contests/${contest.slug}/screening`;
    const res = await post(`${base}/decide`, { decision: 'eligible', scope: 'filtered', status: 'received', link: 'to_verify' }, base);
    expect(res.status).toBe(303);
    const st = await rows<{ link_status: string; status: string }>(db.pool, 'SELECT link_status, status FROM entries WHERE contest_id = $1 ORDER BY seq', [contest.id]);
    expect(st.map((s) => s.status)).toEqual(['received', 'eligible', 'received', 'eligible', 'received', 'eligible']);
    const flash = await org.get(res.headers.location!);
    expect(flash.text).toContain('Đã cập nhật 3 bài, bỏ qua 0 bài.');
    const n = await one<{ n: number }>(db.pool, `SELECT count(*)::int AS n FROM audit_log WHERE action = 'entry.status_changed' AND contest_id = $1`, [contest.id]);
    expect(n.n).toBe(3);
  });

  test('a bulk action whose filter has a wrong value changes nothing (it is not widened to the default filter)', async () => {
    const contest = await createContest(db, { code_prefix: 'SCW' });
    for (let i = 0; i < 4; i++) await createEntry(db, contest, { link_status: i % 2 ? 'to_verify' : 'ok' });
    const base = `/organiser/contests/${contest.slug}/screening`;
    for (const wrong of [{ link: 'to-verify' }, { q: 'x'.repeat(101) }, { category: 'abc' }, { status: 'eligible!' }]) {
      const res = await post(`${base}/decide`, { decision: 'eligible', scope: 'filtered', status: 'received', link: 'to_verify', ...wrong }, base);
      expect(res.status).toBe(303);
      expect((await org.get(res.headers.location!)).text).toContain('Bộ lọc không hợp lệ nên chưa áp dụng cho bài nào.');
    }
    const st = await rows<{ status: string }>(db.pool, 'SELECT status FROM entries WHERE contest_id = $1 ORDER BY seq', [contest.id]);
    expect(st.map((s) => s.status)).toEqual(['received', 'received', 'received', 'received']);
  });
});

describe('promotion', () => {
  test('selected eligible entries are shortlisted; a "promoted" round takes exactly those; received ones are skipped', async () => {
    const contest = await createContest(db, { code_prefix: 'PRM', state: 'judging' });
    const e = [];
    for (let i = 0; i < 4; i++) e.push(await createEntry(db, contest, { status: i === 3 ? 'received' : 'eligible' }));
    const base = `/organiser/contests/${contest.slug}/screening`;
    const res = await post(`${base}/decide`, { decision: 'shortlisted', scope: 'selected', ids: [String(e[0]!.id), String(e[2]!.id), String(e[3]!.id)] }, base);
    expect(res.status).toBe(303);
    expect((await org.get(res.headers.location!)).text).toContain('Đã cập nhật 2 bài, bỏ qua 1 bài.');
    const j = await createStaff(db, { role: 'judge' });
    const round = await one<{ id: number }>(db.pool,
      `INSERT INTO rounds (contest_id, position, name, kind, entry_source, assignment_mode) VALUES ($1, 2, 'Chung kết', 'scoring', 'promoted', 'all') RETURNING id`, [contest.id]);
    await db.pool.query(`INSERT INTO criteria (round_id, name, weight) VALUES ($1, 'C', 1)`, [round.id]);
    await db.pool.query('INSERT INTO round_judges (round_id, judge_id) VALUES ($1, $2)', [round.id, j.id]);
    const opened = await withTransaction(db.pool, (tx) => openRound(tx, round.id, actor));
    expect(opened).toEqual({ entries: 2, assigned: 2 });
    const inRound = await rows<{ entry_id: number }>(db.pool, 'SELECT entry_id FROM round_entries WHERE round_id = $1 ORDER BY entry_id', [round.id]);
    expect(inRound.map((r) => r.entry_id)).toEqual([e[0]!.id, e[2]!.id]);
  });
});

describe('rounds', () => {
  test('create a round with criteria and a panel through the forms; opening without criteria is refused; opening assigns; closing warns then closes; all audited', async () => {
    const contest = await createContest(db, { code_prefix: 'RND', state: 'judging' });
    for (let i = 0; i < 4; i++) await createEntry(db, contest, { status: 'eligible' });
    await createEntry(db, contest, { status: 'not_eligible' });
    const j1 = await createStaff(db, { role: 'judge' });
    const j2 = await createStaff(db, { role: 'judge' });
    const roundsUrl = `/organiser/contests/${contest.slug}/rounds`;
    const bad = await post(roundsUrl, { name: '', assignmentMode: 'n_per_entry', judgesPerEntry: '' }, roundsUrl);
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Trường này là bắt buộc.');
    const created = await post(roundsUrl, { name: 'Vòng chung khảo', kind: 'scoring', blind: 'on', assignmentMode: 'n_per_entry', judgesPerEntry: '1', othersScores: 'never' }, roundsUrl);
    expect(created.status).toBe(303);
    const roundId = Number(/\/organiser\/rounds\/(\d+)/.exec(created.headers.location!)![1]);
    const r = await one(db.pool, 'SELECT name, blind, others_scores, assignment_mode, judges_per_entry, state FROM rounds WHERE id = $1', [roundId]);
    expect(r).toEqual({ name: 'Vòng chung khảo', blind: true, others_scores: 'never', assignment_mode: 'n_per_entry', judges_per_entry: 1, state: 'draft' });
    const page = `/organiser/rounds/${roundId}`;
    await post(`${page}/judges`, { judgeId: j1.id }, page);
    await post(`${page}/judges`, { judgeId: j2.id }, page);
    const refused = await post(`${page}/open`, {}, page);
    expect(refused.status).toBe(303);
    expect((await org.get(page)).text).toContain('Vòng chấm điểm cần ít nhất một tiêu chí trước khi mở.');
    const badCrit = await post(`${page}/criteria`, { name: 'X', weight: '30', scaleMin: '10', scaleMax: '1', step: '1' }, page);
    expect(badCrit.status).toBe(303);
    for (const [name, weight] of [['Ý tưởng', '30'], ['Cảm xúc', '30'], ['Kỹ thuật', '20'], ['Thông điệp', '20']]) {
      await post(`${page}/criteria`, { name, weight, scaleMin: '1', scaleMax: '10', step: '1', description: 'Mô tả' }, page);
    }
    expect((await rows(db.pool, 'SELECT name, weight FROM criteria WHERE round_id = $1 ORDER BY position', [roundId]))).toEqual([
      { name: 'Ý tưởng', weight: 30 }, { name: 'Cảm xúc', weight: 30 }, { name: 'Kỹ thuật', weight: 20 }, { name: 'Thông điệp', weight: 20 },
    ]);
    await post(`${page}/open`, {}, page);
    expect((await one(db.pool, 'SELECT state FROM rounds WHERE id = $1', [roundId]))).toEqual({ state: 'open' });
    const loads = await rows<{ n: number }>(db.pool, 'SELECT count(*)::int AS n FROM assignments WHERE round_id = $1 GROUP BY judge_id ORDER BY judge_id', [roundId]);
    expect(loads.map((l) => l.n)).toEqual([2, 2]);
    // Criteria are frozen once open.
    await post(`${page}/criteria`, { name: 'Muộn', weight: '10' }, page);
    expect((await one<{ n: number }>(db.pool, 'SELECT count(*)::int AS n FROM criteria WHERE round_id = $1', [roundId])).n).toBe(4);
    // Closing with 4 missing scoresheets warns first.
    const token = csrfFrom((await org.get(page)).text);
    const warn = await org.post(`${page}/close`).type('form').send({ _csrf: token });
    expect(warn.status).toBe(303);
    const warned = await org.get(page);
    expect(warned.text).toContain('Còn 4 phiếu chấm chưa gửi.');
    expect((await one(db.pool, 'SELECT state FROM rounds WHERE id = $1', [roundId]))).toEqual({ state: 'open' });
    await post(`${page}/close`, { force: '1' }, page);
    expect((await one(db.pool, 'SELECT state FROM rounds WHERE id = $1', [roundId]))).toEqual({ state: 'closed' });
    const actions = await rows<{ action: string }>(db.pool, `SELECT action FROM audit_log WHERE subject_type = 'round' AND subject_id = $1 ORDER BY id`, [String(roundId)]);
    expect(actions.map((a) => a.action)).toEqual(['round.created', 'round.judge_added', 'round.judge_added', 'criterion.added', 'criterion.added', 'criterion.added', 'criterion.added', 'round.opened', 'round.closed']);
  });

  test("a round's deadline is wall-clock time in the contest's zone, whatever the server's", async () => {
    const hanoi = await createContest(db, { code_prefix: 'DLH', time_zone: 'Asia/Ho_Chi_Minh' });
    const paris = await createContest(db, { code_prefix: 'DLP', time_zone: 'Europe/Paris' });
    const at = async (c: { slug: string }) => {
      const url = `/organiser/contests/${c.slug}/rounds`;
      const res = await post(url, { name: 'Vòng 1', kind: 'scoring', assignmentMode: 'all', deadlineAt: '2026-12-20T17:00' }, url);
      expect(res.status).toBe(303);
      const id = Number(/\/organiser\/rounds\/(\d+)/.exec(res.headers.location!)![1]);
      return (await one<{ at: string }>(db.pool, `SELECT to_char(deadline_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI') AS at FROM rounds WHERE id = $1`, [id])).at;
    };
    expect(await at(hanoi)).toBe('2026-12-20T10:00');
    expect(await at(paris)).toBe('2026-12-20T16:00');
    const url = `/organiser/contests/${hanoi.slug}/rounds`;
    const bad = await post(url, { name: 'Vòng 2', kind: 'scoring', assignmentMode: 'all', deadlineAt: '2026-02-30T10:00' }, url);
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('value="2026-02-30T10:00"');
  });

  test('an organiser conflict by organisation, from the rounds page', async () => {
    const f = await createJudgingRound(db, { judges: 2, entries: 2, mode: 'n_per_entry', n: 1 });
    const url = `/organiser/contests/${f.contest.slug}/rounds`;
    const res = await post(`/organiser/contests/${f.contest.slug}/conflicts`, { judgeId: f.judges[0]!.id, organisation: 'Bệnh viện 0', reason: 'Làm việc ở đó' }, url);
    expect(res.status).toBe(303);
    await withTransaction(db.pool, (tx) => openRound(tx, f.roundId, actor));
    const a = await rows<{ judge_id: number }>(db.pool, 'SELECT judge_id FROM assignments WHERE round_id = $1 AND entry_id = $2', [f.roundId, f.entries[0]!.id]);
    expect(a).toEqual([{ judge_id: f.judges[1]!.id }]);
    expect((await org.get(url)).text).toContain('Bệnh viện 0');
  });
});

describe('oversight', () => {
  test('progress per judge, score table with spread, scoresheet history, reminders through the outbox, moving an assignment', async () => {
    const f = await createJudgingRound(db, { judges: 2, entries: 2 });
    await withTransaction(db.pool, (tx) => openRound(tx, f.roundId, actor));
    const j1 = f.judges[0]!;
    const j2 = f.judges[1]!;
    const all = (v: number) => Object.fromEntries(f.criteria.map((c) => [String(c), v]));
    await withTransaction(db.pool, async (tx) => {
      await saveScoresheet(tx, j1.id, f.roundId, f.entries[0]!.code, { scores: all(10), comment: 'v1', version: 0, submit: false }, actor);
      await saveScoresheet(tx, j1.id, f.roundId, f.entries[0]!.code, { scores: all(10), comment: 'v2', version: 1, submit: true }, actor);
      await saveScoresheet(tx, j2.id, f.roundId, f.entries[0]!.code, { scores: all(1), comment: '', version: 0, submit: true }, actor);
    });
    const progress = await org.get(`/organiser/rounds/${f.roundId}/progress`);
    expect(progress.status).toBe(200);
    expect(progress.text).toContain(`data-judge="${j1.id}">1</td>`);
    expect(progress.text).toContain('Còn 2 phiếu chấm chưa gửi.');
    expect(progress.text).toContain('jd-spread-high');
    expect(progress.text).toMatch(/<td class="num">50<\/td><td class="num">100<\/td>/);
    const sheet = await one<{ id: number }>(db.pool, 'SELECT id FROM scoresheets WHERE judge_id = $1', [j1.id]);
    const sp = await org.get(`/organiser/rounds/${f.roundId}/scoresheets/${sheet.id}`);
    expect(sp.status).toBe(200);
    expect(sp.text).toContain('v1');
    expect(sp.text).toContain('v2');
    expect((await org.get(`/organiser/rounds/${f.roundId}/scoresheets/999999`)).status).toBe(404);
    expect((await org.get('/organiser/rounds/999999')).status).toBe(404);
    expect((await org.get('/organiser/rounds/abc/progress')).status).toBe(404);
    expect((await org.get('/organiser/contests/no-such-contest/screening')).status).toBe(404);

    const remind = await post(`/organiser/rounds/${f.roundId}/remind`, {}, `/organiser/rounds/${f.roundId}/progress`);
    expect(remind.status).toBe(303);
    const mails = await rows<{ to_address: string; kind: string }>(db.pool, `SELECT to_address, kind FROM outbox WHERE kind = 'judging.reminder' ORDER BY to_address`);
    expect(mails.map((m) => m.to_address).sort()).toEqual([j1.email, j2.email].sort());

    // Entry 2 is unscored by both; with mode "all", moving to a judge who already has it is refused.
    const a = await one<{ id: number }>(db.pool, 'SELECT id FROM assignments WHERE round_id = $1 AND entry_id = $2 AND judge_id = $3', [f.roundId, f.entries[1]!.id, j1.id]);
    await post(`/organiser/rounds/${f.roundId}/assignments/${a.id}/move`, { judgeId: j2.id }, `/organiser/rounds/${f.roundId}/progress`);
    expect((await one(db.pool, 'SELECT judge_id FROM assignments WHERE id = $1', [a.id]))).toEqual({ judge_id: j1.id });
    const j3 = await createStaff(db, { role: 'judge' });
    await db.pool.query('INSERT INTO round_judges (round_id, judge_id) VALUES ($1, $2)', [f.roundId, j3.id]);
    await post(`/organiser/rounds/${f.roundId}/assignments/${a.id}/move`, { judgeId: j3.id }, `/organiser/rounds/${f.roundId}/progress`);
    expect((await one(db.pool, 'SELECT judge_id FROM assignments WHERE id = $1', [a.id]))).toEqual({ judge_id: j3.id });
  });
});
