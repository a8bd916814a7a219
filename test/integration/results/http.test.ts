import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { agentAs, makeApp, postForm } from '../../helpers/app';
import { resetDb, testConfig, testDb } from '../../helpers/db';
import { createEntry, createStaff } from '../../helpers/factories';
import { addResultsScoresheet, createResultsContest, createResultsPrizeTier, createResultsRound } from '../../helpers/factories/results';
import { execute, rows } from '../../../src/db';
import type { ContestRow } from '../../../src/contests/queries';

const db = testDb();
let app: Express;
let org: TestAgent;
let judge: TestAgent;
let contest: ContestRow;
let roundId: number;
let entries: { id: number; code: string }[];
let base: string;

/** supertest collects a binary body as a Buffer with this parser. */
const binary = (res: request.Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

function pdfText(buf: Buffer): string {
  const file = path.join(os.tmpdir(), `results-${process.pid}-${Date.now()}.pdf`);
  fs.writeFileSync(file, buf);
  try {
    return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  } finally {
    fs.rmSync(file, { force: true });
  }
}

beforeAll(async () => {
  await resetDb(db.pool);
  app = makeApp(db, testConfig());
  org = (await agentAs(app, db, 'organiser')).agent;
  judge = (await agentAs(app, db, 'judge')).agent;
  contest = await createResultsContest(db, {
    state: 'judging', slug: 'thoi-khac-kho-quen', title: 'Thời khắc khó quên', public_fields: ['displayName', 'province'],
  });
  base = `/organiser/contests/${contest.slug}`;
  const round = await createResultsRound(db, contest, { name: 'Chung khảo', criteria: [{ name: 'Nội dung', weight: 2 }, { name: 'Cảm xúc' }] });
  roundId = round.id;
  const j1 = await createStaff(db, { name: 'Giám khảo Một' });
  const j2 = await createStaff(db, { name: 'Giám khảo Hai' });
  entries = [];
  const specs = [
    { full_name: 'Nguyễn Thị Trúc Linh', display_name: 'Trúc Linh', title: 'Ca trực đêm', scores: [[9, 9], [9, 6]] }, // 9, 8 → 8.5
    { full_name: 'Trần Văn Bình', display_name: 'Bình', title: '=HYPERLINK("http://x")', scores: [[8, 5], [7, 7]] }, // 7, 7 → 7
    { full_name: 'Lê Hoàng', display_name: 'Hoàng', title: 'Tuyến đầu', scores: [[5, 5]] }, // 5
  ];
  for (const s of specs) {
    const e = await createEntry(db, contest, { status: 'eligible', full_name: s.full_name, display_name: s.display_name, title: s.title, email: `${s.display_name.length}x@example.test` });
    await execute(db.pool, `UPDATE entrants SET national_id = '079201001234' WHERE id = $1`, [e.entrant_id]);
    for (const [i, v] of s.scores.entries()) await addResultsScoresheet(db, round, e.id, (i === 0 ? j1 : j2).id, v);
    entries.push(e);
  }
  await createResultsPrizeTier(db, contest, { name: 'Giải Nhất', count: 1, position: 1 });
  await createResultsPrizeTier(db, contest, { name: 'Giải Nhì', count: 1, position: 2 });
});
afterAll(() => db.close());

test('the ranking page shows the hand-computed means and the scoresheets one click away', async () => {
  const res = await org.get(`${base}/results`);
  expect(res.status).toBe(200);
  const cells = [...res.text.matchAll(/<td class="num strong">([^<]+)<\/td>/g)].map((m) => m[1]);
  expect(cells).toEqual(['8.50', '7.00', '5.00']);
  expect(res.text).toContain(`${base}/results/rounds/${roundId}/entries/${entries[0]!.code}`);
  const sheets = await org.get(`${base}/results/rounds/${roundId}/entries/${entries[0]!.code}`);
  expect(sheets.status).toBe(200);
  expect(sheets.text).toContain('Giám khảo Một');
  expect(sheets.text).toContain('Giám khảo Hai');
  const en = await org.get(`${base}/results?page=2`);
  expect(en.status).toBe(200);
});

test('judges get 403 on every organiser results route; they never see the ranking', async () => {
  for (const url of [`${base}/results`, `${base}/winners`, `${base}/exports/results.csv`, `${base}/exports/entries.csv`, `${base}/audit`]) {
    const res = await judge.get(url);
    expect({ url, status: res.status }).toEqual({ url, status: 403 });
  }
  const post = await postForm(judge, `${base}/winners/publish`, {}, '/staff');
  expect(post.status).toBe(403);
});

test('the results CSV: BOM, exact values, formula cells defused', async () => {
  const res = await org.get(`${base}/exports/results.csv?round=${roundId}`).buffer(true).parse(binary);
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
  const body = (res.body as Buffer).toString('utf8');
  expect(body.charCodeAt(0)).toBe(0xfeff);
  const records = parse(body.slice(1), { columns: true }) as Record<string, string>[];
  expect(records.map((r) => [r.rank, r.code, r.mean, r.median, r.min, r.max, r.sd, r.sheets])).toEqual([
    ['1', entries[0]!.code, '8.5', '8.5', '8', '9', '0.5', '2'],
    ['2', entries[1]!.code, '7', '7', '7', '7', '0', '2'],
    ['3', entries[2]!.code, '5', '5', '5', '5', '0', '1'],
  ]);
  expect(records[1]!.title).toBe(`'=HYPERLINK("http://x")`);
});

test('the entries CSV carries personal data for organisers; the XLSX opens', async () => {
  const res = await org.get(`${base}/exports/entries.csv`).buffer(true).parse(binary);
  const records = parse((res.body as Buffer).toString('utf8').slice(1), { columns: true }) as Record<string, string>[];
  expect(records.map((r) => [r.code, r.full_name, r.national_id])).toEqual(entries.map((e, i) => [e.code, ['Nguyễn Thị Trúc Linh', 'Trần Văn Bình', 'Lê Hoàng'][i], '079201001234']));
  const x = await org.get(`${base}/exports/results.xlsx`).buffer(true).parse(binary);
  expect(x.status).toBe(200);
  expect((x.body as Buffer).subarray(0, 2).toString()).toBe('PK');
  const ex = await org.get(`${base}/exports/entries.xlsx`).buffer(true).parse(binary);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(new Uint8Array(ex.body as Buffer).buffer as ArrayBuffer);
  const ws = wb.worksheets[0]!;
  expect(ws.getRow(1).getCell(7).value).toBe('full_name');
  expect([2, 3, 4].map((i) => ws.getRow(i).getCell(7).value)).toEqual(['Nguyễn Thị Trúc Linh', 'Trần Văn Bình', 'Lê Hoàng']);
  const sheets = await org.get(`${base}/exports/scoresheets.csv`).buffer(true).parse(binary);
  const sr = parse((sheets.body as Buffer).toString('utf8').slice(1), { columns: true }) as Record<string, string>[];
  expect(sr.filter((r) => r.code === entries[0]!.code).map((r) => [r.judge, r['Nội dung'], r['Cảm xúc']])).toEqual([['Giám khảo Hai', '9', '6'], ['Giám khảo Một', '9', '9']]);
});

describe('publication', () => {
  test('before publication the public page, the API and the ceremony answer 404 to the public and to judges', async () => {
    expect((await request(app).get(`/c/${contest.slug}/winners`)).status).toBe(404);
    expect((await request(app).get(`/api/v1/contests/${contest.slug}/winners`)).status).toBe(404);
    expect((await request(app).get(`/c/${contest.slug}/ceremony`)).status).toBe(404);
    expect((await judge.get(`/c/${contest.slug}/winners`)).status).toBe(404);
    expect((await judge.get(`/c/${contest.slug}/ceremony`)).status).toBe(404);
  });

  test('suggest, override with a reason, publish: the public sees only the allowed fields', async () => {
    let res = await postForm(org, `${base}/winners/suggest`, { method: 'plain' }, `${base}/winners`);
    expect(res.status).toBe(303);
    let page = await org.get(`${base}/winners`);
    expect(page.text).toContain('Đã đề xuất 2 giải.');
    const awardIds = [...page.text.matchAll(/winners\/awards\/(\d+)\/remove/g)].map((m) => Number(m[1]));
    expect(awardIds).toHaveLength(2);
    // A reason is required: the page comes back (422) with the code as typed and the message at the reason.
    res = await postForm(org, `${base}/winners/awards/${awardIds[1]}/replace`, { entryCode: entries[2]!.code, reason: '' }, `${base}/winners`);
    expect(res.status).toBe(422);
    expect(res.text).toContain(`id="f-rc-${awardIds[1]}" name="entryCode" required value="${entries[2]!.code}"`);
    expect(res.text).toMatch(new RegExp(`id="f-rr-${awardIds[1]}" name="reason" required value="" aria-invalid="true" aria-describedby="f-rr-${awardIds[1]}-err">\\s*<span class="error" id="f-rr-${awardIds[1]}-err">Cần ghi lý do.</span>`));
    res = await postForm(org, `${base}/winners/awards/${awardIds[1]}/replace`, { entryCode: entries[2]!.code, reason: 'Hội đồng thống nhất' }, `${base}/winners`);
    expect(res.status).toBe(303);
    // Organisers can rehearse the ceremony from the draft.
    expect((await org.get(`/c/${contest.slug}/ceremony`)).status).toBe(200);

    res = await postForm(org, `${base}/winners/publish`, {}, `${base}/winners`);
    expect(res.status).toBe(303);
    page = await org.get(`${base}/winners`);
    expect(page.text).toContain('Đã công bố danh sách đoạt giải.');

    const api = await request(app).get(`/api/v1/contests/${contest.slug}/winners`);
    expect(api.status).toBe(200);
    expect(api.body).toEqual({
      contest: { slug: contest.slug, title: 'Thời khắc khó quên' },
      tiers: [
        { prize: 'Giải Nhất', winners: [{ prize: 'Giải Nhất', code: entries[0]!.code, title: 'Ca trực đêm', videoId: expect.any(String), rank: 1, entrant: { displayName: 'Trúc Linh', province: 'Hà Nội' } }] },
        { prize: 'Giải Nhì', winners: [{ prize: 'Giải Nhì', code: entries[2]!.code, title: 'Tuyến đầu', videoId: expect.any(String), rank: null, entrant: { displayName: 'Hoàng', province: 'Hà Nội' } }] },
      ],
    });
    const html = await request(app).get(`/c/${contest.slug}/winners`);
    expect(html.status).toBe(200);
    expect(html.text).toContain('Trúc Linh');
    expect(html.text.indexOf('Giải Nhất')).toBeLessThan(html.text.indexOf('Giải Nhì'));
    for (const secret of ['Nguyễn Thị Trúc Linh', '079201001234', '@example.test', '+849']) {
      expect(html.text).not.toContain(secret);
      expect(JSON.stringify(api.body)).not.toContain(secret);
    }
    expect((await judge.get(`/c/${contest.slug}/winners`)).status).toBe(200);
    expect((await request(app).get(`/c/${contest.slug}/ceremony`)).status).toBe(200);
  });

  test('publishing twice is refused and changes nothing', async () => {
    const before = await rows(db.pool, `SELECT count(*)::int AS n FROM audit_log WHERE action = 'winners.published'`);
    const res = await postForm(org, `${base}/winners/publish`, {}, `${base}/winners`);
    expect(res.status).toBe(409);
    expect(res.text).toContain('<p class="error" role="alert" id="f-list-err">Danh sách đã được công bố.</p>');
    expect(await rows(db.pool, `SELECT count(*)::int AS n FROM audit_log WHERE action = 'winners.published'`)).toEqual(before);
  });

  test('the winners PDF and the certificates carry the Vietnamese diacritics', async () => {
    const pdf = await org.get(`${base}/exports/winners.pdf`).buffer(true).parse(binary);
    expect(pdf.status).toBe(200);
    const text = pdfText(pdf.body as Buffer);
    expect(text).toContain('DANH SÁCH ĐOẠT GIẢI');
    expect(text).toContain('Giải Nhất');
    expect(text).toContain('Nguyễn Thị Trúc Linh');

    const zip = await org.get(`${base}/exports/certificates.zip`).buffer(true).parse(binary);
    expect(zip.status).toBe(200);
    expect(zip.headers['content-type']).toBe('application/zip');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certs-'));
    fs.writeFileSync(path.join(dir, 'c.zip'), zip.body as Buffer);
    execFileSync('python3', ['-c', 'import zipfile,sys; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])', path.join(dir, 'c.zip'), dir]);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.pdf')).sort()).toEqual([`${entries[0]!.code}.pdf`, `${entries[2]!.code}.pdf`]);
    const cert = pdfText(fs.readFileSync(path.join(dir, `${entries[0]!.code}.pdf`)));
    expect(cert).toContain('Nguyễn Thị Trúc Linh');
    expect(cert).toContain('Giải Nhất');
    expect(cert).toContain('Thời khắc khó quên');
    // The artefact: the certificate rendered to PNG, kept for a person to look at.
    const out = path.join(process.cwd(), 'test-artifacts');
    fs.mkdirSync(out, { recursive: true });
    execFileSync('pdftoppm', ['-png', '-r', '60', '-singlefile', path.join(dir, `${entries[0]!.code}.pdf`), path.join(out, 'results-certificate')]);
    expect(fs.statSync(path.join(out, 'results-certificate.png')).size).toBeGreaterThan(5000);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('unpublishing with a reason hides the list again; the decision log shows it all', async () => {
    const refused = await postForm(org, `${base}/winners/unpublish`, { reason: '   ' }, `${base}/winners`);
    expect(refused.status).toBe(422);
    expect(refused.text).toMatch(/name="reason" required maxlength="2000" value=" {3}" aria-invalid="true" aria-describedby="f-unpub-reason-err">\s*<span class="error" id="f-unpub-reason-err">Cần ghi lý do.<\/span>/);
    expect((await request(app).get(`/c/${contest.slug}/winners`)).status).toBe(200);
    const res = await postForm(org, `${base}/winners/unpublish`, { reason: 'Sai tên tác phẩm' }, `${base}/winners`);
    expect(res.status).toBe(303);
    expect((await request(app).get(`/c/${contest.slug}/winners`)).status).toBe(404);
    expect((await request(app).get(`/api/v1/contests/${contest.slug}/winners`)).status).toBe(404);
    const audit = await org.get(`${base}/audit?action=winners.unpublished`);
    expect(audit.status).toBe(200);
    expect(audit.text).toContain('Sai tên tác phẩm');
    const csv = await org.get(`${base}/audit.csv`).buffer(true).parse(binary);
    const records = parse((csv.body as Buffer).toString('utf8').slice(1), { columns: true }) as Record<string, string>[];
    expect(records.map((r) => r.action ?? '').filter((a) => a.startsWith('winners.'))).toEqual([
      'winners.unpublished', 'winners.published', 'winners.award_overridden', 'winners.suggested',
    ]);
  });
});

test('empty states: a contest without rounds or prizes, in both languages', async () => {
  const bare = await createResultsContest(db, { state: 'judging', slug: 'chua-co-vong' });
  let res = await org.get(`/organiser/contests/${bare.slug}/results`);
  expect(res.status).toBe(200);
  expect(res.text).toContain('Cuộc thi chưa có vòng chấm điểm nào.');
  res = await org.get(`/organiser/contests/${bare.slug}/winners`);
  expect(res.text).toContain('Cuộc thi chưa có giải thưởng nào.');
  res = await postForm(org, `/organiser/contests/${bare.slug}/winners/suggest`, {}, `/organiser/contests/${bare.slug}/winners`);
  expect(res.status).toBe(409);
  expect(res.text).toContain('<p class="error" role="alert" id="f-list-err">Cuộc thi chưa có giải thưởng nào.</p>');
  await org.get('/lang/en?next=/');
  res = await org.get(`/organiser/contests/${bare.slug}/results`);
  expect(res.text).toContain('The contest has no scoring round yet.');
  res = await org.get(`${base}/results`);
  expect(res.text).toContain('Normalised per judge');
  await org.get('/lang/vi?next=/');
  expect((await org.get('/organiser/contests/no-such-contest/results')).status).toBe(404);
});
