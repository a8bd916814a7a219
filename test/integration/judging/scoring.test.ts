import type { Express } from 'express';
import { makeApp, agentAs, csrfFrom, login } from '../../helpers/app';
import request from 'supertest';
import { resetDb, testConfig, testDb } from '../../helpers/db';
import { createStaff, TEST_PASSWORD } from '../../helpers/factories';
import { createJudgingRound } from '../../helpers/factories/judging';
import { rows, withTransaction } from '../../../src/db';
import { openRound, closeRound } from '../../../src/judging/service';
import { uploadStore } from '../../../src/storage/store';
import fs from 'node:fs';
import path from 'node:path';

const db = testDb();
const UPLOADS = '/tmp/clipjury-test-uploads-judging';
let app: Express;
const actor = { id: null, label: 'test' };

beforeAll(async () => {
  await resetDb(db.pool);
  app = makeApp(db, testConfig({ UPLOAD_DIR: UPLOADS }));
});
afterAll(() => db.close());

async function judgeAgent(email: string) {
  const agent = request.agent(app);
  await login(agent, email, TEST_PASSWORD);
  return agent;
}

async function openFixture(o: Parameters<typeof createJudgingRound>[1] = {}) {
  const f = await createJudgingRound(db, o);
  await withTransaction(db.pool, (tx) => openRound(tx, f.roundId, actor));
  const assignments = await rows<{ judge_id: number; code: string; entry_id: number }>(
    db.pool, 'SELECT a.judge_id, e.code, e.id AS entry_id FROM assignments a JOIN entries e ON e.id = a.entry_id WHERE a.round_id = $1 ORDER BY e.id, a.judge_id', [f.roundId]);
  return { ...f, assignments };
}

describe('the judge scoring an entry', () => {
  test('dashboard shows the round with progress; the scoring screen shows the criteria, the player and 1 / 3', async () => {
    const f = await openFixture({ judges: 1, entries: 3 });
    const agent = await judgeAgent(f.judges[0]!.email);
    const dash = await agent.get('/judging');
    expect(dash.status).toBe(200);
    expect(dash.text).toContain('Vòng 1');
    expect(dash.text).toContain('Đã gửi 0 · Nháp 0 · Chưa chấm 3 / 3');
    const code = f.entries[0]!.code;
    const page = await agent.get(`/judging/rounds/${f.roundId}/entries/${code}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('1 / 3');
    expect(page.text).toContain(`https://www.tiktok.com/embed/v2/${f.entries[0]!.video_id}`);
    expect(page.text).toContain('Ý tưởng / Idea');
    expect(page.text).toContain('src="/static/js/judging-score.js"');
    expect(page.text).not.toMatch(/<script>(?!<\/script>)/);
  });

  test("the screen's place in the queue: position, total and both neighbours at the first, a middle and the last clip", async () => {
    const f = await openFixture({ judges: 1, entries: 4 });
    const agent = await judgeAgent(f.judges[0]!.email);
    const codes = f.entries.map((e) => e.code);
    const queueOf = async (code: string) => (await agent.get(`/api/v1/judging/rounds/${f.roundId}/entries/${code}`)).body.queue;
    expect(await queueOf(codes[0]!)).toEqual({ position: 1, total: 4, prev_code: null, next_code: codes[1] });
    expect(await queueOf(codes[2]!)).toEqual({ position: 3, total: 4, prev_code: codes[1], next_code: codes[3] });
    expect(await queueOf(codes[3]!)).toEqual({ position: 4, total: 4, prev_code: codes[2], next_code: null });
  });

  test('save a draft, then submit and go to the next to-do entry; history records each version', async () => {
    const f = await openFixture({ judges: 1, entries: 3 });
    const agent = await judgeAgent(f.judges[0]!.email);
    const [c1, c2, c3, c4] = f.criteria;
    const url = `/judging/rounds/${f.roundId}/entries/${f.entries[0]!.code}`;
    let page = await agent.get(url);
    const draft = await agent.post(url).type('form').send({ _csrf: csrfFrom(page.text), version: 0, action: 'draft', [`score_${c1}`]: '8', comment: 'Hay' });
    expect(draft.status).toBe(303);
    expect(draft.headers.location).toBe(url);
    page = await agent.get(url);
    expect(page.text).toContain('value="8"');
    const sub = await agent.post(url).type('form').send({ _csrf: csrfFrom(page.text), version: 1, action: 'submit', [`score_${c1}`]: '8', [`score_${c2}`]: '6', [`score_${c3}`]: '10', [`score_${c4}`]: '1', comment: 'Rất hay' });
    expect(sub.status).toBe(303);
    expect(sub.headers.location).toBe(`/judging/rounds/${f.roundId}/entries/${f.entries[1]!.code}`);
    const sheet = await rows<{ status: string; version: number; comment: string }>(db.pool, 'SELECT status, version, comment FROM scoresheets WHERE round_id = $1', [f.roundId]);
    expect(sheet).toEqual([{ status: 'submitted', version: 2, comment: 'Rất hay' }]);
    const hist = await rows<{ version: number; status: string; scores: Record<string, number> }>(db.pool, 'SELECT h.version, h.status, h.scores FROM scoresheet_history h ORDER BY h.version');
    expect(hist).toEqual([
      { version: 1, status: 'draft', scores: { [String(c1)]: 8 } },
      { version: 2, status: 'submitted', scores: { [String(c1)]: 8, [String(c2)]: 6, [String(c3)]: 10, [String(c4)]: 1 } },
    ]);
    const dash = await agent.get('/judging');
    expect(dash.text).toContain('Đã gửi 1 · Nháp 0 · Chưa chấm 2 / 3');
  });

  test('the server validates scale and step, and a submit needs every criterion', async () => {
    const f = await openFixture({ judges: 1, entries: 1 });
    const agent = await judgeAgent(f.judges[0]!.email);
    const url = `/judging/rounds/${f.roundId}/entries/${f.entries[0]!.code}`;
    const page = await agent.get(url);
    const token = csrfFrom(page.text);
    const api = `/api/v1${url}/scoresheet`;
    const out = await agent.post(api).set('x-csrf-token', token).send({ scores: { [f.criteria[0]!]: 11 }, comment: '', version: 0, action: 'autosave' });
    expect(out.status).toBe(422);
    expect(Object.keys(out.body.errors)).toEqual([`scores.${f.criteria[0]}`]);
    const step = await agent.post(api).set('x-csrf-token', token).send({ scores: { [f.criteria[0]!]: 7.5 }, comment: '', version: 0, action: 'autosave' });
    expect(step.status).toBe(422);
    const foreign = await agent.post(api).set('x-csrf-token', token).send({ scores: { 999999: 5 }, comment: '', version: 0, action: 'autosave' });
    expect(foreign.status).toBe(422);
    const incomplete = await agent.post(api).set('x-csrf-token', token).send({ scores: { [f.criteria[0]!]: 7 }, comment: '', version: 0, action: 'submit' });
    expect(incomplete.status).toBe(422);
    expect(Object.keys(incomplete.body.errors).sort()).toEqual(f.criteria.slice(1).map((c) => `scores.${c}`).sort());
    const html = await agent.post(url).type('form').send({ _csrf: token, version: 0, action: 'submit', [`score_${f.criteria[0]}`]: '0' });
    expect(html.status).toBe(422);
    expect(html.text).toContain('Điểm nằm ngoài thang hoặc không đúng bước.');
    expect(html.text).toContain('value="0"');
    expect(await rows(db.pool, 'SELECT id FROM scoresheets WHERE round_id = $1', [f.roundId])).toEqual([]);
  });

  test('autosave answers the new version and a stale tab is refused with 409', async () => {
    const f = await openFixture({ judges: 1, entries: 1 });
    const agent = await judgeAgent(f.judges[0]!.email);
    const url = `/judging/rounds/${f.roundId}/entries/${f.entries[0]!.code}`;
    const token = csrfFrom((await agent.get(url)).text);
    const api = `/api/v1${url}/scoresheet`;
    const a = await agent.post(api).set('x-csrf-token', token).send({ scores: { [f.criteria[0]!]: 5 }, comment: 'tab A', version: 0, action: 'autosave' });
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ version: 1, status: 'draft', total: null });
    const b = await agent.post(api).set('x-csrf-token', token).send({ scores: { [f.criteria[0]!]: 6 }, comment: 'tab A again', version: 1, action: 'autosave' });
    expect(b.body.version).toBe(2);
    const stale = await agent.post(api).set('x-csrf-token', token).send({ scores: { [f.criteria[0]!]: 1 }, comment: 'stale tab B', version: 1, action: 'autosave' });
    expect(stale.status).toBe(409);
    expect(stale.body).toEqual({ error: 'stale_scoresheet' });
    const sheet = await rows(db.pool, 'SELECT comment, version FROM scoresheets WHERE round_id = $1', [f.roundId]);
    expect(sheet).toEqual([{ comment: 'tab A again', version: 2 }]);
    const full = await agent.post(api).set('x-csrf-token', token).send({ scores: Object.fromEntries(f.criteria.map((c) => [c, 10])), comment: '', version: 2, action: 'submit' });
    expect(full.body).toMatchObject({ version: 3, status: 'submitted', total: 100 });
    // Two tabs saving the same version at the same moment: exactly one wins.
    const race = await Promise.all([1, 2].map((n) => agent.post(api).set('x-csrf-token', token).send({ scores: Object.fromEntries(f.criteria.map((c) => [c, n])), comment: `tab ${n}`, version: 3, action: 'autosave' })));
    expect(race.map((r) => r.status).sort()).toEqual([200, 409]);
  });

  test("another judge's entry is a 404, in HTML, JSON, video and writes; a round I do not sit on is a 404", async () => {
    const f = await openFixture({ judges: 2, entries: 2, mode: 'n_per_entry', n: 1 });
    const mine = f.assignments.find((a) => a.judge_id === f.judges[0]!.id)!;
    const theirs = f.assignments.find((a) => a.judge_id === f.judges[1]!.id)!;
    const agent = await judgeAgent(f.judges[0]!.email);
    const ok = await agent.get(`/judging/rounds/${f.roundId}/entries/${mine.code}`);
    expect(ok.status).toBe(200);
    const token = csrfFrom(ok.text);
    expect((await agent.get(`/judging/rounds/${f.roundId}/entries/${theirs.code}`)).status).toBe(404);
    expect((await agent.get(`/api/v1/judging/rounds/${f.roundId}/entries/${theirs.code}`)).status).toBe(404);
    expect((await agent.get(`/judging/rounds/${f.roundId}/entries/${theirs.code}/video`)).status).toBe(404);
    const w = await agent.post(`/api/v1/judging/rounds/${f.roundId}/entries/${theirs.code}/scoresheet`).set('x-csrf-token', token).send({ scores: {}, comment: 'x', version: 0, action: 'autosave' });
    expect(w.status).toBe(404);
    const other = await openFixture({ judges: 1, entries: 1 });
    expect((await agent.get(`/judging/rounds/${other.roundId}`)).status).toBe(404);
    expect((await agent.get(`/judging/rounds/${other.roundId}/entries/${other.entries[0]!.code}`)).status).toBe(404);
    expect(await rows(db.pool, 'SELECT id FROM scoresheets WHERE round_id = $1', [f.roundId])).toEqual([]);
  });

  test('organisers and admins are not judges of the round; anonymous goes to login', async () => {
    const f = await openFixture({ judges: 1, entries: 1 });
    const { agent: org } = await agentAs(app, db, 'organiser');
    expect((await org.get(`/judging/rounds/${f.roundId}/entries/${f.entries[0]!.code}`)).status).toBe(403);
    const { agent: admin } = await agentAs(app, db, 'admin');
    expect((await admin.get(`/judging/rounds/${f.roundId}/entries/${f.entries[0]!.code}`)).status).toBe(404);
    const anon = await request(app).get(`/judging/rounds/${f.roundId}/entries/${f.entries[0]!.code}`);
    expect(anon.status).toBe(303);
    expect(anon.headers.location).toBe('/login');
  });

  test('a closed round is readable and refuses writes; a draft round is invisible', async () => {
    const f = await openFixture({ judges: 1, entries: 1 });
    const agent = await judgeAgent(f.judges[0]!.email);
    const url = `/judging/rounds/${f.roundId}/entries/${f.entries[0]!.code}`;
    const token = csrfFrom((await agent.get(url)).text);
    await withTransaction(db.pool, (tx) => closeRound(tx, f.roundId, actor, true));
    const page = await agent.get(url);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Vòng chấm đã đóng');
    expect(page.text).not.toContain('id="jd-submit"');
    const api = await agent.post(`/api/v1${url}/scoresheet`).set('x-csrf-token', token).send({ scores: {}, comment: 'late', version: 0, action: 'autosave' });
    expect(api.status).toBe(409);
    expect(api.body).toEqual({ error: 'round_closed' });
    const form = await agent.post(url).type('form').send({ _csrf: token, version: 0, action: 'draft', comment: 'late' });
    expect(form.status).toBe(409);
    const conflict = await agent.post(`${url}/conflict`).type('form').send({ _csrf: token, reason: 'late' });
    expect(conflict.status).toBe(409);
    expect(await rows(db.pool, 'SELECT id FROM scoresheets WHERE round_id = $1', [f.roundId])).toEqual([]);
    const draft = await createJudgingRound(db, { judges: 0 });
    await db.pool.query('INSERT INTO round_judges (round_id, judge_id) VALUES ($1, $2)', [draft.roundId, f.judges[0]!.id]);
    expect((await agent.get(`/judging/rounds/${draft.roundId}`)).status).toBe(404);
  });

  test('a blind round shows no entrant field in the HTML or the JSON; a named round shows the display name but never contact data', async () => {
    const f = await openFixture({ judges: 1, entries: 1, blind: true });
    const agent = await judgeAgent(f.judges[0]!.email);
    const entrant = (await rows<{ full_name: string; display_name: string; email: string; phone_e164: string; organisation: string; province: string }>(
      db.pool, 'SELECT en.full_name, en.display_name, en.email::text AS email, en.phone_e164, en.organisation, en.province FROM entrants en JOIN entries e ON e.entrant_id = en.id WHERE e.id = $1', [f.entries[0]!.id]))[0]!;
    const url = `/judging/rounds/${f.roundId}/entries/${f.entries[0]!.code}`;
    const html = (await agent.get(url)).text;
    const json = await agent.get(`/api/v1${url}`);
    expect(json.status).toBe(200);
    expect(json.body.entry).toEqual({ code: f.entries[0]!.code, title: f.entries[0]!.title, description: 'Mô tả', category: null, videoId: f.entries[0]!.video_id, hasFile: false, entrant: null, tiktokUrl: null });
    const queue = (await agent.get(`/judging/rounds/${f.roundId}`)).text;
    for (const text of [html, JSON.stringify(json.body), queue]) {
      for (const v of [entrant.full_name, entrant.display_name, entrant.email, entrant.phone_e164, entrant.organisation, '@user']) expect(text).not.toContain(v);
    }
    const named = await openFixture({ judges: 1, entries: 1, blind: false });
    const agent2 = await judgeAgent(named.judges[0]!.email);
    const url2 = `/judging/rounds/${named.roundId}/entries/${named.entries[0]!.code}`;
    const j2 = await agent2.get(`/api/v1${url2}`);
    const e2 = (await rows<{ display_name: string; email: string; phone_e164: string }>(db.pool, 'SELECT en.display_name, en.email::text AS email, en.phone_e164 FROM entrants en JOIN entries e ON e.entrant_id = en.id WHERE e.id = $1', [named.entries[0]!.id]))[0]!;
    expect(j2.body.entry.entrant.displayName).toBe(e2.display_name);
    const h2 = (await agent2.get(url2)).text;
    expect(h2).toContain(e2.display_name);
    for (const text of [h2, JSON.stringify(j2.body)]) {
      expect(text).not.toContain(e2.email);
      expect(text).not.toContain(e2.phone_e164);
    }
  });

  test("other judges' scores appear only after submitting my own (after_own)", async () => {
    const f = await openFixture({ judges: 2, entries: 1, others: 'after_own' });
    const code = f.entries[0]!.code;
    const url = `/judging/rounds/${f.roundId}/entries/${code}`;
    const all10 = Object.fromEntries(f.criteria.map((c) => [c, 10]));
    const a = await judgeAgent(f.judges[0]!.email);
    const b = await judgeAgent(f.judges[1]!.email);
    const ta = csrfFrom((await a.get(url)).text);
    await a.post(`/api/v1${url}/scoresheet`).set('x-csrf-token', ta).send({ scores: all10, comment: 'A says', version: 0, action: 'submit' });
    const before = await b.get(`/api/v1${url}`);
    expect(before.body.others).toBeNull();
    const tb = csrfFrom((await b.get(url)).text);
    await b.post(`/api/v1${url}/scoresheet`).set('x-csrf-token', tb).send({ scores: all10, comment: 'B says', version: 0, action: 'submit' });
    const after = await b.get(`/api/v1${url}`);
    expect(after.body.others).toEqual([{ judge_name: f.judges[0]!.name, comment: 'A says', scores: Object.fromEntries(f.criteria.map((c) => [String(c), 10])) }]);
  });

  test('a judge declares a conflict: the entry moves to another judge of the panel', async () => {
    const f = await openFixture({ judges: 3, entries: 1, mode: 'n_per_entry', n: 1 });
    const holder = f.assignments[0]!;
    const judge = f.judges.find((j) => j.id === holder.judge_id)!;
    const agent = await judgeAgent(judge.email);
    const url = `/judging/rounds/${f.roundId}/entries/${holder.code}`;
    const token = csrfFrom((await agent.get(url)).text);
    const res = await agent.post(`${url}/conflict`).type('form').send({ _csrf: token, reason: 'Người nhà' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/judging/rounds/${f.roundId}`);
    const now = await rows<{ judge_id: number }>(db.pool, 'SELECT judge_id FROM assignments WHERE round_id = $1', [f.roundId]);
    expect(now.length).toBe(1);
    expect(now[0]!.judge_id).not.toBe(judge.id);
    expect(await rows(db.pool, 'SELECT source, reason FROM conflicts WHERE judge_id = $1', [judge.id])).toEqual([{ source: 'judge', reason: 'Người nhà' }]);
    expect((await agent.get(url)).status).toBe(404);
  });

  test('the queue filters by status and searches by code, in a stable order', async () => {
    const f = await openFixture({ judges: 1, entries: 3 });
    const agent = await judgeAgent(f.judges[0]!.email);
    const url = `/judging/rounds/${f.roundId}/entries/${f.entries[1]!.code}`;
    const token = csrfFrom((await agent.get(url)).text);
    await agent.post(`/api/v1${url}/scoresheet`).set('x-csrf-token', token).send({ scores: {}, comment: 'draft', version: 0, action: 'autosave' });
    // The table's links (the "start" button above it is a link with a class).
    const codesIn = (html: string) => [...html.matchAll(/<td><a href="[^"]*entries\/([A-Z0-9-]+)">/g)].map((m) => m[1]);
    expect(codesIn((await agent.get(`/judging/rounds/${f.roundId}?filter=all`)).text)).toEqual(f.entries.map((e) => e.code));
    expect(codesIn((await agent.get(`/judging/rounds/${f.roundId}?filter=draft`)).text)).toEqual([f.entries[1]!.code]);
    const todo = codesIn((await agent.get(`/judging/rounds/${f.roundId}?filter=todo`)).text);
    expect(todo).toEqual([f.entries[0]!.code, f.entries[2]!.code]);
    expect(codesIn((await agent.get(`/judging/rounds/${f.roundId}?q=${f.entries[2]!.code.toLowerCase()}`)).text)).toContain(f.entries[2]!.code);
  });

  test('a disabled judge has no access at all', async () => {
    const f = await openFixture({ judges: 1, entries: 1 });
    const agent = await judgeAgent(f.judges[0]!.email);
    await db.pool.query('UPDATE users SET disabled_at = now() WHERE id = $1', [f.judges[0]!.id]);
    expect((await agent.get(`/judging/rounds/${f.roundId}`)).status).toBe(303);
    void createStaff;
  });

  test('the original file is served with Range to the assigned judge only', async () => {
    const f = await openFixture({ judges: 2, entries: 1, mode: 'n_per_entry', n: 1 });
    const store = uploadStore(UPLOADS);
    const key = store.newStorageKey('.mp4');
    fs.mkdirSync(path.dirname(store.pathOf(key)), { recursive: true });
    fs.writeFileSync(store.pathOf(key), Buffer.from('0123456789abcdef'));
    const file = await rows<{ id: number }>(db.pool,
      `INSERT INTO stored_files (storage_key, purpose, original_name, mime, size_bytes, sha256) VALUES ($1, 'entry_video', 'clip gốc.mp4', 'video/mp4', 16, $2) RETURNING id`,
      [key, 'a'.repeat(64)]);
    await db.pool.query('UPDATE entries SET video_file_id = $1 WHERE id = $2', [file[0]!.id, f.entries[0]!.id]);
    const holder = f.judges.find((j) => j.id === f.assignments[0]!.judge_id)!;
    const other = f.judges.find((j) => j.id !== holder.id)!;
    const url = `/judging/rounds/${f.roundId}/entries/${f.entries[0]!.code}`;
    const a = await judgeAgent(holder.email);
    expect((await a.get(url)).text).toContain(`src="${url}/video"`);
    const part = await a.get(`${url}/video`).set('Range', 'bytes=2-5');
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe('bytes 2-5/16');
    expect(part.headers['content-type']).toBe('video/mp4');
    const b = await judgeAgent(other.email);
    expect((await b.get(`${url}/video`)).status).toBe(404);
  });

  test('a judge in a screening round submits a verdict: the entry is screened through the entry lifecycle', async () => {
    const f = await createJudgingRound(db, { judges: 1, entries: 2, kind: 'screening' });
    await db.pool.query(`UPDATE entries SET status = 'received' WHERE contest_id = $1`, [f.contest.id]);
    await db.pool.query('DELETE FROM criteria WHERE round_id = $1', [f.roundId]);
    await withTransaction(db.pool, (tx) => openRound(tx, f.roundId, actor));
    const agent = await judgeAgent(f.judges[0]!.email);
    const url = `/judging/rounds/${f.roundId}/entries/${f.entries[0]!.code}`;
    const page = await agent.get(url);
    expect(page.text).toContain('name="verdict" value="not_eligible"');
    const token = csrfFrom(page.text);
    const missing = await agent.post(url).type('form').send({ _csrf: token, version: 0, action: 'submit' });
    expect(missing.status).toBe(422);
    const ok = await agent.post(url).type('form').send({ _csrf: token, version: 0, action: 'submit', verdict: 'not_eligible', comment: 'Thiếu hashtag' });
    expect(ok.status).toBe(303);
    const e = await rows(db.pool, 'SELECT status, screening_note, screened_by FROM entries WHERE id = $1', [f.entries[0]!.id]);
    expect(e).toEqual([{ status: 'not_eligible', screening_note: 'Thiếu hashtag', screened_by: f.judges[0]!.id }]);
    const audit = await rows(db.pool, `SELECT action, after FROM audit_log WHERE subject_type = 'entry' AND subject_id = $1`, [String(f.entries[0]!.id)]);
    expect(audit).toEqual([{ action: 'entry.status_changed', after: { status: 'not_eligible', reasonId: null } }]);
  });

  test('the scoring screen and dashboard switch to English', async () => {
    const f = await openFixture({ judges: 1, entries: 1 });
    const agent = await judgeAgent(f.judges[0]!.email);
    await agent.get('/lang/en?next=/judging');
    const dash = await agent.get('/judging');
    expect(dash.text).toContain('Submitted 0 · Drafts 0 · To do 1 / 1');
    const page = await agent.get(`/judging/rounds/${f.roundId}/entries/${f.entries[0]!.code}`);
    expect(page.text).toContain('Submit and next');
    expect(page.text).toContain('Weighted total');
    expect(page.text).not.toContain('Gửi và sang bài kế');
  });
});
