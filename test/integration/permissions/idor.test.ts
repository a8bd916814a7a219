import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { agentAs, makeApp, tokenFor } from '../../helpers/app';
import { agentAsEntrant, agentAsUser, entrantLink } from '../../helpers/actors';
import { resetDb, testConfig, testDb } from '../../helpers/db';
import { createContest, createEntry, createStaff } from '../../helpers/factories';
import { createJudgingRound } from '../../helpers/factories/judging';
import {
  addResultsScoresheet, createResultsContest, createResultsPrizeTier, createResultsRound,
} from '../../helpers/factories/results';
import { one, rows, withTransaction } from '../../../src/db';
import { openRound } from '../../../src/judging/service';
import { staffActor } from '../../../src/audit/service';
import { listAwards, publishWinners, suggestWinners } from '../../../src/results/winners';
import { uploadStore } from '../../../src/storage/store';
import { listRoutes } from '../../helpers/routes';

/**
 * IDOR by id substitution: a valid identifier of one party (entry code, private link, round,
 * scoresheet, assignment, file, award) used with another party's credentials. Each answer is
 * exact, and the body never carries the other party's personal data.
 */
const db = testDb();
const config = testConfig();
const app = makeApp(db, config);

interface Person { full_name: string; email: string; phone_e164: string }
const person = (tag: string, n: number): Person => ({
  full_name: `Phạm Thị Riêng Tư ${tag}`,
  email: `rieng.tu.${tag.toLowerCase()}@example.test`,
  phone_e164: `+849110001${String(n).padStart(2, '0')}`,
});
const A = person('A', 11);
const B = person('B', 22);

/** The body as text (HTML, JSON, CSV, PDF bytes), and none of the person's data in it. */
function expectNoPersonalData(res: request.Response, p: Person) {
  const body = Buffer.isBuffer(res.body) ? (res.body as Buffer).toString('utf8') : (res.text ?? JSON.stringify(res.body ?? ''));
  const national = p.phone_e164.replace('+84', '0');
  for (const s of [p.full_name, p.email, p.phone_e164, national, p.phone_e164.slice(3)]) expect(body).not.toContain(s);
}

async function post(agent: TestAgent, url: string, body: Record<string, unknown>, staff: boolean) {
  const token = await tokenFor(agent, staff ? '/staff' : '/login');
  return agent.post(url).type('form').send({ _csrf: token, ...body });
}

/** Collects a response body as bytes whatever its type. */
const asBytes = (res: request.Response, cb: (err: Error | null, body: Buffer) => void) => {
  const parts: Buffer[] = [];
  res.on('data', (c: Buffer) => parts.push(Buffer.from(c)));
  res.on('end', () => cb(null, Buffer.concat(parts)));
};

/** An original file in the upload store, recorded as an entry's video or a banner. */
async function storeFile(purpose: 'entry_video' | 'banner', bytes: Buffer, name: string, mime: string): Promise<number> {
  const store = uploadStore(config.uploadDir);
  const key = store.newStorageKey(purpose === 'banner' ? '.png' : '.mp4');
  fs.mkdirSync(path.dirname(store.pathOf(key)), { recursive: true });
  fs.writeFileSync(store.pathOf(key), bytes);
  const f = await one<{ id: number }>(
    db.pool,
    `INSERT INTO stored_files (storage_key, purpose, original_name, mime, size_bytes, sha256) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [key, purpose, name, mime, bytes.length, 'b'.repeat(64)],
  );
  return f.id;
}

beforeAll(async () => {
  await resetDb(db.pool);
});
afterAll(() => db.close());

describe('entries: one entrant’s code with another entrant’s link or session', () => {
  let slug = '';
  let a: { id: number; code: string };
  let b: { id: number; code: string };
  let asA: TestAgent;
  let asB: TestAgent;
  beforeAll(async () => {
    const contest = await createContest(db, { slug: 'idor-entries', code_prefix: 'IDE' });
    slug = contest.slug;
    a = await createEntry(db, contest, { ...A, title: 'Clip của A' });
    b = await createEntry(db, contest, { ...B, title: 'Clip của B' });
    asA = await agentAsEntrant(app, db, a.id);
    asB = await agentAsEntrant(app, db, b.id);
  });

  test('each entrant sees their own page (the control)', async () => {
    const res = await asA.get(`/c/${slug}/my/${a.code}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain(A.full_name);
    expectNoPersonalData(res, B);
  });

  test('B’s session on A’s page: 404 like an unknown code, nothing of A', async () => {
    const res = await asB.get(`/c/${slug}/my/${a.code}`);
    expect(res.status).toBe(404);
    expectNoPersonalData(res, A);
    const unknown = await asB.get(`/c/${slug}/my/IDE-99999`);
    expect(unknown.status).toBe(404);
  });

  test('B’s private-link token on A’s code (page and receipt): 404, and it grants nothing', async () => {
    const tokenB = new URL(await entrantLink(db, b.id), 'http://x').searchParams.get('t')!;
    const page = await request(app).get(`/c/${slug}/my/${a.code}?t=${tokenB}`);
    expect(page.status).toBe(404);
    expectNoPersonalData(page, A);
    const receipt = await request(app).get(`/c/${slug}/receipt/${a.code}?t=${tokenB}`);
    expect(receipt.status).toBe(404);
    expectNoPersonalData(receipt, A);
    // A's own token on B's code is refused the same way.
    const tokenA = new URL(await entrantLink(db, a.id), 'http://x').searchParams.get('t')!;
    expect((await request(app).get(`/c/${slug}/my/${b.code}?t=${tokenA}`)).status).toBe(404);
  });

  test('B cannot correct, replace the file of or withdraw A’s entry: 404 and A’s entry unchanged', async () => {
    const correct = await post(asB, `/c/${slug}/my/${a.code}`, { title: 'Bị sửa bởi B', description: 'x', displayName: 'B', tiktokUrl: '' }, false);
    expect(correct.status).toBe(404);
    expectNoPersonalData(correct, A);
    const withdraw = await post(asB, `/c/${slug}/my/${a.code}/withdraw`, {}, false);
    expect(withdraw.status).toBe(404);
    const video = await post(asB, `/c/${slug}/my/${a.code}/video`, {}, false);
    expect(video.status).toBe(404);
    const details = await post(asB, `/c/${slug}/my/${a.code}/details`, { displayName: 'B', email: B.email, phone: B.phone_e164 }, false);
    expect(details.status).toBe(404);
    expectNoPersonalData(details, A);
    const row = await one<{ title: string; status: string }>(db.pool, 'SELECT title, status FROM entries WHERE id = $1', [a.id]);
    expect(row).toEqual({ title: 'Clip của A', status: 'received' });
    const person = await one(db.pool, 'SELECT p.full_name, p.email::text AS email, p.phone_e164 FROM entries e JOIN entrants p ON p.id = e.entrant_id WHERE e.id = $1', [a.id]);
    expect(person).toEqual(A);
  });

  test('look-up with A’s code and B’s contact: the not-found answer, and no access to A afterwards', async () => {
    const res = await post(asB, `/c/${slug}/my`, { code: a.code, contact: B.email }, false);
    expect(res.status).toBe(200);
    expectNoPersonalData(res, A);
    expect((await asB.get(`/c/${slug}/my/${a.code}`)).status).toBe(404);
  });

  test('the entrant has no way into organiser entry pages or files: 303 to sign in', async () => {
    for (const url of [`/organiser/contests/${slug}/entries`, `/organiser/contests/${slug}/entries/${a.code}`, `/organiser/contests/${slug}/entries/${a.code}/video`]) {
      const res = await asA.get(url);
      expect({ url, status: res.status, location: res.headers.location }).toEqual({ url, status: 303, location: '/login' });
    }
  });
});

describe('entries: organiser entry pages of another contest', () => {
  test('an entry code looked up under another contest’s slug: 404, nothing of the entrant', async () => {
    const c1 = await createContest(db, { slug: 'idor-org-one', code_prefix: 'IDO' });
    const c2 = await createContest(db, { slug: 'idor-org-two', code_prefix: 'IDP' });
    const e1 = await createEntry(db, c1, { ...person('Org', 33) });
    const { agent } = await agentAs(app, db, 'organiser');
    expect((await agent.get(`/organiser/contests/${c1.slug}/entries/${e1.code}`)).status).toBe(200);
    const other = await agent.get(`/organiser/contests/${c2.slug}/entries/${e1.code}`);
    expect(other.status).toBe(404);
    expectNoPersonalData(other, person('Org', 33));
    expect((await agent.get(`/organiser/contests/${c2.slug}/entries/${e1.code}/video`)).status).toBe(404);
    const list = await agent.get(`/organiser/contests/${c2.slug}/entries`);
    expect(list.status).toBe(200);
    expectNoPersonalData(list, person('Org', 33));
  });
});

describe('scoresheets and files: one judge’s ids used by another judge', () => {
  let f: Awaited<ReturnType<typeof createJudgingRound>>;
  let sheetA = 0;
  let assignmentA = 0;
  let judgeAId = 0;
  let codeA = '';
  let codeB = '';
  let judgeA: TestAgent;
  let judgeB: TestAgent;
  let otherRoundJudge: TestAgent;
  const secretComment = 'Nhận xét kín của giám khảo A';
  beforeAll(async () => {
    // One judge per entry: judge A holds entry 0 only, judge B entry 1 only.
    f = await createJudgingRound(db, { judges: 2, entries: 2, mode: 'n_per_entry', n: 1, others: 'always' });
    await withTransaction(db.pool, (tx) => openRound(tx, f.roundId, { id: null, label: 'idor' }));
    const as = await rows<{ id: number; judge_id: number; entry_id: number }>(db.pool, 'SELECT id, judge_id, entry_id FROM assignments WHERE round_id = $1 ORDER BY id', [f.roundId]);
    expect(as).toHaveLength(2);
    const [aA, aB] = as;
    assignmentA = aA!.id;
    judgeAId = aA!.judge_id;
    codeA = f.entries.find((e) => e.id === aA!.entry_id)!.code;
    codeB = f.entries.find((e) => e.id === aB!.entry_id)!.code;
    const s = await one<{ id: number }>(
      db.pool,
      `INSERT INTO scoresheets (assignment_id, round_id, entry_id, judge_id, status, comment, submitted_at) VALUES ($1, $2, $3, $4, 'submitted', $5, now()) RETURNING id`,
      [aA!.id, f.roundId, aA!.entry_id, aA!.judge_id, secretComment],
    );
    sheetA = s.id;
    for (const c of f.criteria) await db.pool.query('INSERT INTO scores (scoresheet_id, criterion_id, value) VALUES ($1, $2, 7)', [s.id, c]);
    judgeA = await agentAsUser(app, db, aA!.judge_id);
    judgeB = await agentAsUser(app, db, aB!.judge_id);
    const other = await createJudgingRound(db, { judges: 1, entries: 1 });
    await withTransaction(db.pool, (tx) => openRound(tx, other.roundId, { id: null, label: 'idor' }));
    otherRoundJudge = await agentAsUser(app, db, other.judges[0]!.id);
  });

  test('judge A reads their own entry in HTML and JSON (the control)', async () => {
    const html = await judgeA.get(`/judging/rounds/${f.roundId}/entries/${codeA}`);
    expect(html.status).toBe(200);
    expect(html.text).toContain(secretComment);
    const json = await judgeA.get(`/api/v1/judging/rounds/${f.roundId}/entries/${codeA}`);
    expect(json.status).toBe(200);
    expect(json.body.sheet.comment).toBe(secretComment);
    // The round is blind: even the entry's own judge never sees who the entrant is.
    const entrant = await one<Person>(
      db.pool, 'SELECT en.full_name, en.email, en.phone_e164 FROM entries e JOIN entrants en ON en.id = e.entrant_id WHERE e.code = $1', [codeA]);
    expectNoPersonalData(html, entrant);
    expectNoPersonalData(json, entrant);
    expect(json.body.entry.entrant).toBeNull();
  });

  test('judge B on judge A’s entry: 404 in HTML and JSON, without A’s scoresheet or the entrant', async () => {
    const entrant = await one<Person>(
      db.pool, 'SELECT en.full_name, en.email, en.phone_e164 FROM entries e JOIN entrants en ON en.id = e.entrant_id WHERE e.code = $1', [codeA]);
    for (const [who, agent] of [['same round', judgeB], ['other round', otherRoundJudge]] as const) {
      const html = await agent.get(`/judging/rounds/${f.roundId}/entries/${codeA}`);
      const json = await agent.get(`/api/v1/judging/rounds/${f.roundId}/entries/${codeA}`);
      const video = await agent.get(`/judging/rounds/${f.roundId}/entries/${codeA}/video`);
      expect({ who, html: html.status, json: json.status, video: video.status }).toEqual({ who, html: 404, json: 404, video: 404 });
      for (const res of [html, json]) {
        expect(res.text).not.toContain(secretComment);
        expectNoPersonalData(res, entrant);
      }
    }
    // The other round's judge does not even see the round.
    expect((await otherRoundJudge.get(`/judging/rounds/${f.roundId}`)).status).toBe(404);
  });

  test('judge B cannot write judge A’s scoresheet or declare a conflict on A’s entry (JSON and form): 404, nothing changes', async () => {
    const before = await one(db.pool, 'SELECT status, comment, version FROM scoresheets WHERE id = $1', [sheetA]);
    const token = await tokenFor(judgeB, '/staff');
    const api = await judgeB.post(`/api/v1/judging/rounds/${f.roundId}/entries/${codeA}/scoresheet`).set('x-csrf-token', token)
      .send({ scores: Object.fromEntries(f.criteria.map((c) => [c, 1])), comment: 'ghi đè', version: 1, action: 'submit' });
    expect(api.status).toBe(404);
    expect(api.text).not.toContain(secretComment);
    const form = await post(judgeB, `/judging/rounds/${f.roundId}/entries/${codeA}`, { comment: 'ghi đè', version: '1', action: 'save', ...Object.fromEntries(f.criteria.map((c) => [`score_${c}`, '1'])) }, true);
    expect(form.status).toBe(404);
    expect(form.text).not.toContain(secretComment);
    const conflict = await post(judgeB, `/judging/rounds/${f.roundId}/entries/${codeA}/conflict`, { reason: 'Quen biết' }, true);
    expect(conflict.status).toBe(404);
    expect(await one(db.pool, 'SELECT status, comment, version FROM scoresheets WHERE id = $1', [sheetA])).toEqual(before);
    expect((await rows(db.pool, 'SELECT 1 FROM conflicts')).length).toBe(0);
    expect((await one<{ judge_id: number }>(db.pool, 'SELECT judge_id FROM assignments WHERE id = $1', [assignmentA])).judge_id).toBe(judgeAId);
  });

  test('judge A’s scoresheet and assignment ids on organiser routes: 403 to judges, 303 to anonymous, entrant likewise', async () => {
    const entrantAgent = await agentAsEntrant(app, db, f.entries[0]!.id);
    const urls = [`/organiser/rounds/${f.roundId}/scoresheets/${sheetA}`, `/organiser/rounds/${f.roundId}/progress`, `/organiser/rounds/${f.roundId}`];
    for (const url of urls) {
      for (const [who, agent, status] of [['judge B', judgeB, 403], ['judge A', judgeA, 403], ['anonymous', request.agent(app), 303], ['entrant', entrantAgent, 303]] as const) {
        const res = await agent.get(url);
        expect({ url, who, status: res.status }).toEqual({ url, who, status });
        expect(res.text).not.toContain(secretComment);
      }
    }
    const move = await post(judgeB, `/organiser/rounds/${f.roundId}/assignments/${assignmentA}/move`, { judgeId: String(f.judges[1]!.id) }, true);
    expect(move.status).toBe(403);
    expect((await one<{ judge_id: number }>(db.pool, 'SELECT judge_id FROM assignments WHERE id = $1', [assignmentA])).judge_id).toBe(judgeAId);
  });

  test('an entry’s original file: its judge gets the bytes; the other judge, the other round’s judge, entrants and anonymous do not', async () => {
    const bytes = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.alloc(100, 7)]);
    const fileId = await storeFile('entry_video', bytes, 'clip gốc của A.mp4', 'video/mp4');
    const entryA = f.entries.find((e) => e.code === codeA)!;
    await db.pool.query('UPDATE entries SET video_file_id = $1 WHERE id = $2', [fileId, entryA.id]);
    const judgeUrl = `/judging/rounds/${f.roundId}/entries/${codeA}/video`;
    const orgUrl = `/organiser/contests/${f.contest.slug}/entries/${codeA}/video`;
    const own = await judgeA.get(judgeUrl).buffer(true).parse(asBytes);
    expect(own.status).toBe(200);
    expect(Buffer.compare(own.body as Buffer, bytes)).toBe(0);
    // Judge B's own entry path with A's code: still 404.
    expect((await judgeB.get(judgeUrl)).status).toBe(404);
    expect((await otherRoundJudge.get(judgeUrl)).status).toBe(404);
    const entrantB = await agentAsEntrant(app, db, f.entries.find((e) => e.code === codeB)!.id);
    const entrantA = await agentAsEntrant(app, db, entryA.id);
    for (const [who, agent, url, status] of [
      ['judge B', judgeB, orgUrl, 403], ['judge A', judgeA, orgUrl, 403],
      ['anonymous', request.agent(app), orgUrl, 303], ['anonymous', request.agent(app), judgeUrl, 303],
      ['entrant B', entrantB, orgUrl, 303], ['entrant B', entrantB, judgeUrl, 303], ['entrant A', entrantA, judgeUrl, 303],
    ] as const) {
      const res = await agent.get(url).buffer(true).parse(asBytes);
      expect({ who, url, status: res.status }).toEqual({ who, url, status });
      expect((res.body as Buffer).includes(Buffer.from('ftypisom'))).toBe(false);
    }
    const { agent: organiser } = await agentAs(app, db, 'organiser');
    expect((await organiser.get(orgUrl)).status).toBe(200);
  });
});

describe('files: the banner of a draft contest', () => {
  test('hidden (404) from anonymous, entrants and judges; served to organisers', async () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);
    const draft = await createContest(db, { slug: 'idor-draft', code_prefix: 'IDD', state: 'draft' });
    const live = await createContest(db, { slug: 'idor-live', code_prefix: 'IDL' });
    await db.pool.query('UPDATE contests SET banner_file_id = $1 WHERE id = $2', [await storeFile('banner', png, 'draft.png', 'image/png'), draft.id]);
    await db.pool.query('UPDATE contests SET banner_file_id = $1 WHERE id = $2', [await storeFile('banner', png, 'live.png', 'image/png'), live.id]);
    const entry = await createEntry(db, live);
    const judge = await agentAsUser(app, db, (await createStaff(db, { role: 'judge' })).id);
    const { agent: organiser } = await agentAs(app, db, 'organiser');
    const { agent: admin } = await agentAs(app, db, 'admin');
    for (const [who, agent, status] of [
      ['anonymous', request.agent(app), 404], ['entrant', await agentAsEntrant(app, db, entry.id), 404], ['judge', judge, 404],
      ['organiser', organiser, 200], ['admin', admin, 200],
    ] as const) {
      const res = await agent.get(`/c/${draft.slug}/banner`).buffer(true).parse(asBytes);
      expect({ who, status: res.status }).toEqual({ who, status });
      if (status === 200) expect(res.headers['cache-control'] ?? '').not.toMatch(/public/);
      expect((await agent.get(`/c/${live.slug}/banner`)).status).toBe(200);
    }
  });
});

describe('exports: results, scoresheets, entries and certificates', () => {
  test('refused to the judge who scored (403), to the entrant and to anonymous (303); only organisers get the data', async () => {
    const contest = await createResultsContest(db, { state: 'judging', slug: 'idor-results' });
    const round = await createResultsRound(db, contest);
    const judgeUser = await createStaff(db, { role: 'judge' });
    const winner = person('Winner', 44);
    const entry = await createEntry(db, contest, { ...winner, status: 'eligible' });
    await addResultsScoresheet(db, round, entry.id, judgeUser.id, [9]);
    await createResultsPrizeTier(db, contest, { name: 'Giải Nhất' });
    const actor = staffActor(await createStaff(db, { role: 'organiser' }));
    await suggestWinners(db.pool, contest, actor);
    await publishWinners(db.pool, contest, actor);
    const award = (await listAwards(db.pool, contest.id))[0]!;
    const base = `/organiser/contests/${contest.slug}`;
    const urls = [
      'exports/results.csv', 'exports/results.xlsx', 'exports/scoresheets.csv', 'exports/scoresheets.xlsx', 'exports/entries.csv', 'exports/entries.xlsx',
      'exports/winners.csv', 'exports/winners.xlsx', 'exports/winners.pdf', 'exports/certificates.zip', `winners/awards/${award.id}/certificate.pdf`,
      `results/rounds/${round.id}/entries/${entry.code}`, 'audit.csv',
    ].map((u) => `${base}/${u}`);
    const judge = await agentAsUser(app, db, judgeUser.id);
    const entrant = await agentAsEntrant(app, db, entry.id);
    for (const url of urls) {
      for (const [who, agent, status] of [['judge', judge, 403], ['entrant', entrant, 303], ['anonymous', request.agent(app), 303]] as const) {
        const res = await agent.get(url).buffer(true).parse(asBytes);
        expect({ url, who, status: res.status }).toEqual({ url, who, status });
        expectNoPersonalData(res, winner);
      }
    }
    // The control: the organiser's entries export does carry the entrant's email.
    const { agent: organiser } = await agentAs(app, db, 'organiser');
    const csv = await organiser.get(`${base}/exports/entries.csv`);
    expect(csv.status).toBe(200);
    expect(csv.text).toContain(winner.email);
    // The public winners page and API name the winner without their contact details.
    for (const url of [`/c/${contest.slug}/winners`, `/api/v1/contests/${contest.slug}/winners`, `/c/${contest.slug}/ceremony`]) {
      const res = await request(app).get(url);
      expect({ url, status: res.status }).toEqual({ url, status: 200 });
      for (const s of [winner.email, winner.phone_e164, winner.phone_e164.slice(3)]) expect(res.text).not.toContain(s);
    }
  });

  test('an award id of one contest under another contest’s slug: 404 to the organiser', async () => {
    const c1 = await createResultsContest(db, { state: 'judging', slug: 'idor-award-one' });
    const c2 = await createResultsContest(db, { state: 'judging', slug: 'idor-award-two' });
    const round = await createResultsRound(db, c1);
    const entry = await createEntry(db, c1, { ...person('Award', 55), status: 'eligible' });
    await addResultsScoresheet(db, round, entry.id, (await createStaff(db, { role: 'judge' })).id, [9]);
    await createResultsPrizeTier(db, c1, { name: 'Giải Nhất' });
    const actor = staffActor(await createStaff(db, { role: 'organiser' }));
    await suggestWinners(db.pool, c1, actor);
    const award = (await listAwards(db.pool, c1.id))[0]!;
    const { agent } = await agentAs(app, db, 'organiser');
    expect((await agent.get(`/organiser/contests/${c1.slug}/winners/awards/${award.id}/certificate.pdf`)).status).toBe(200);
    const res = await agent.get(`/organiser/contests/${c2.slug}/winners/awards/${award.id}/certificate.pdf`);
    expect(res.status).toBe(404);
    const entrySheets = await agent.get(`/organiser/contests/${c2.slug}/results/rounds/${round.id}/entries/${entry.code}`);
    expect(entrySheets.status).toBe(404);
    expectNoPersonalData(entrySheets, person('Award', 55));
  });
});

describe('public pages: entries and winners that are not public yet', () => {
  test('the gallery (page, entry, API) shows no received, withdrawn or refused entry, nor any contact', async () => {
    const contest = await createContest(db, { slug: 'idor-gallery', code_prefix: 'IDG' });
    const shown = await createEntry(db, contest, { ...person('Shown', 66), status: 'eligible' });
    const hidden: { id: number; code: string }[] = [];
    for (const [i, status] of (['received', 'withdrawn', 'not_eligible'] as const).entries()) hidden.push(await createEntry(db, contest, { ...person(`Hidden${i}`, 70 + i), status }));
    const judge = await agentAsUser(app, db, (await createStaff(db, { role: 'judge' })).id);
    for (const [who, agent] of [['anonymous', request.agent(app)], ['entrant', await agentAsEntrant(app, db, hidden[0]!.id)], ['judge', judge]] as const) {
      expect({ who, status: (await agent.get(`/c/${contest.slug}/gallery/${shown.code}`)).status }).toEqual({ who, status: 200 });
      for (const [i, h] of hidden.entries()) {
        const res = await agent.get(`/c/${contest.slug}/gallery/${h.code}`);
        expect({ who, code: h.code, status: res.status }).toEqual({ who, code: h.code, status: 404 });
        expectNoPersonalData(res, person(`Hidden${i}`, 70 + i));
      }
      const list = await agent.get(`/api/v1/contests/${contest.slug}/entries`);
      expect((list.body.items as { code: string }[]).map((x) => x.code)).toEqual([shown.code]);
      const page = await agent.get(`/c/${contest.slug}/gallery`);
      for (const res of [list, page]) {
        const p = person('Shown', 66);
        for (const s of [p.email, p.phone_e164, p.phone_e164.slice(3)]) expect(res.text).not.toContain(s);
        for (const [i] of hidden.entries()) expectNoPersonalData(res, person(`Hidden${i}`, 70 + i));
      }
    }
  });

  test('a winners list not yet published: 404 on the public page, API and ceremony, except the organiser’s rehearsal', async () => {
    const contest = await createResultsContest(db, { state: 'judging', slug: 'idor-unpublished' });
    const round = await createResultsRound(db, contest);
    const judgeUser = await createStaff(db, { role: 'judge' });
    const winner = person('Draft', 77);
    const entry = await createEntry(db, contest, { ...winner, status: 'eligible', title: 'Clip sắp đoạt giải' });
    await addResultsScoresheet(db, round, entry.id, judgeUser.id, [9]);
    await createResultsPrizeTier(db, contest, { name: 'Giải Nhất' });
    await suggestWinners(db.pool, contest, staffActor(await createStaff(db, { role: 'organiser' })));
    const judge = await agentAsUser(app, db, judgeUser.id);
    for (const [who, agent] of [['anonymous', request.agent(app)], ['entrant', await agentAsEntrant(app, db, entry.id)], ['judge', judge]] as const) {
      for (const url of [`/c/${contest.slug}/winners`, `/api/v1/contests/${contest.slug}/winners`, `/c/${contest.slug}/ceremony`]) {
        const res = await agent.get(url);
        expect({ who, url, status: res.status }).toEqual({ who, url, status: 404 });
        expect(res.text).not.toContain('Clip sắp đoạt giải');
        expectNoPersonalData(res, winner);
      }
    }
    const { agent: organiser } = await agentAs(app, db, 'organiser');
    const rehearsal = await organiser.get(`/c/${contest.slug}/ceremony`);
    expect(rehearsal.status).toBe(200);
    expect(rehearsal.text).toContain('Clip sắp đoạt giải');
    expect((await organiser.get(`/c/${contest.slug}/winners`)).status).toBe(404);
  });
});

describe('public pages of a draft contest', () => {
  test('every public GET under /c/:slug and /api/v1/contests/:slug is 404 to anonymous, entrant and judge, even with the entry’s private link', async () => {
    const draft = await createContest(db, { slug: 'idor-draft-pages', code_prefix: 'IDX', state: 'draft' });
    const p = person('Draft', 88);
    const entry = await createEntry(db, draft, { ...p, status: 'eligible' });
    const link = new URL(await entrantLink(db, entry.id), 'http://x');
    const urls = listRoutes(app)
      .filter((r) => r.method === 'GET' && /^\/(c|api\/v1\/contests)\/:slug(\/|$)/.test(r.path))
      .map((r) => r.path.replace(':slug', draft.slug).replace(':code', entry.code))
      .map((u) => (/\/(my|receipt)\//.test(u) ? `${u}${link.search}` : u));
    expect(urls.length).toBeGreaterThanOrEqual(14);
    const judge = await agentAsUser(app, db, (await createStaff(db, { role: 'judge' })).id);
    for (const [who, agent] of [['anonymous', request.agent(app)], ['judge', judge]] as const) {
      for (const url of urls) {
        const res = await agent.get(url);
        expect({ who, url, status: res.status }).toEqual({ who, url, status: 404 });
        expectNoPersonalData(res, p);
      }
    }
  });
});

describe('scoresheets: a judge put in conflict with an entry after scoring it', () => {
  test('can no longer change that scoresheet (409), in JSON and form; the organiser still sees it', async () => {
    const f = await createJudgingRound(db, { judges: 2, entries: 1, mode: 'n_per_entry', n: 1 });
    await withTransaction(db.pool, (tx) => openRound(tx, f.roundId, { id: null, label: 'idor' }));
    const a = await one<{ judge_id: number }>(db.pool, 'SELECT judge_id FROM assignments WHERE round_id = $1', [f.roundId]);
    const judge = await agentAsUser(app, db, a.judge_id);
    const code = f.entries[0]!.code;
    const api = `/api/v1/judging/rounds/${f.roundId}/entries/${code}/scoresheet`;
    const scores = (v: number) => Object.fromEntries(f.criteria.map((c) => [c, v]));
    const first = await judge.post(api).set('x-csrf-token', await tokenFor(judge, '/staff')).send({ scores: scores(5), comment: 'Lần đầu', version: 0, action: 'submit' });
    expect(first.status).toBe(200);
    const { agent: organiser } = await agentAs(app, db, 'organiser');
    const added = await post(organiser, `/organiser/contests/${f.contest.slug}/conflicts`, { judgeId: String(a.judge_id), entryCode: code, reason: 'Người nhà thí sinh' }, true);
    expect(added.status).toBe(303);
    expect((await rows(db.pool, 'SELECT 1 FROM conflicts WHERE judge_id = $1', [a.judge_id])).length).toBe(1);
    const again = await judge.post(api).set('x-csrf-token', await tokenFor(judge, '/staff')).send({ scores: scores(10), comment: 'Sửa sau xung đột', version: 1, action: 'submit' });
    const form = await post(judge, `/judging/rounds/${f.roundId}/entries/${code}`, { comment: 'Sửa sau xung đột', version: '1', action: 'submit', ...Object.fromEntries(f.criteria.map((c) => [`score_${c}`, '10'])) }, true);
    expect({ api: again.status, form: form.status }).toEqual({ api: 409, form: 409 });
    const sheet = await one<{ id: number; comment: string; version: number }>(db.pool, 'SELECT id, comment, version FROM scoresheets WHERE round_id = $1', [f.roundId]);
    expect({ comment: sheet.comment, version: sheet.version }).toEqual({ comment: 'Lần đầu', version: 1 });
    const page = await organiser.get(`/organiser/rounds/${f.roundId}/scoresheets/${sheet.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Lần đầu');
  });
});
