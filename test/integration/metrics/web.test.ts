import type TestAgent from 'supertest/lib/agent';
import request from 'supertest';
import { rows } from '../../../src/db';
import { settleImportJobs } from '../../../src/metrics/importJobs';
import { agentAs, csrfFrom, makeApp, tokenFor } from '../../helpers/app';
import { createContest, createEntry } from '../../helpers/factories/contests';
import { createMetricsCategory, createMetricsPrizeTier } from '../../helpers/factories/metrics';
import { resetDb, testConfig, testDb } from '../../helpers/db';

const db = testDb();
const app = makeApp(db, testConfig({ UPLOAD_DIR: '/tmp/clipjury-test-uploads-metrics' }));
afterAll(async () => {
  await settleImportJobs();
  await db.close();
});

const V = (n: number) => String(7003421587766400000n + BigInt(n));

/**
 * A contest of 1–30 Sept 2021 (Asia/Ho_Chi_Minh) with two categories and five entries received on
 * known days, one withdrawn; and a second contest whose clip must never be matched.
 */
async function world() {
  await resetDb(db.pool);
  const contest = await createContest(db, {
    slug: 'thoi-khac-kho-quen', title: 'Thời khắc khó quên', code_prefix: 'TKKQ', state: 'judging',
    opens_at: new Date('2021-09-01T00:00:00+07:00'), closes_at: new Date('2021-09-30T23:59:00+07:00'),
  });
  const other = await createContest(db, { slug: 'cuoc-thi-khac', code_prefix: 'KHAC' });
  const front = await createMetricsCategory(db, contest.id, 'Người lao động tuyến đầu', 1);
  const community = await createMetricsCategory(db, contest.id, 'Cộng đồng', 2);
  // Posted 2021-09-02 (inside the window) except entry 5, posted in August.
  const posted = (iso: string, n: number) => String((BigInt(Math.floor(Date.parse(iso) / 1000)) << 32n) + BigInt(n));
  const e1 = await createEntry(db, contest, { video_id: posted('2021-09-02T10:00:00+07:00', 1), category_id: front.id, province: 'Hà Nội', status: 'eligible', created_at: new Date('2021-09-02T09:00:00+07:00') });
  const e2 = await createEntry(db, contest, { video_id: posted('2021-09-02T11:00:00+07:00', 2), category_id: front.id, province: 'Hà Nội', status: 'eligible', created_at: new Date('2021-09-02T23:30:00+07:00') });
  const e3 = await createEntry(db, contest, { video_id: posted('2021-09-29T11:00:00+07:00', 3), category_id: community.id, province: 'Đà Nẵng', status: 'received', created_at: new Date('2021-09-30T20:00:00+07:00') });
  const e4 = await createEntry(db, contest, { video_id: posted('2021-09-03T11:00:00+07:00', 4), category_id: community.id, province: 'Đà Nẵng', status: 'withdrawn', created_at: new Date('2021-09-03T08:00:00+07:00') });
  const e5 = await createEntry(db, contest, { video_id: posted('2021-08-20T11:00:00+07:00', 5), category_id: null, province: 'Cần Thơ', status: 'eligible', created_at: new Date('2021-09-30T23:00:00+07:00') });
  const b1 = await createEntry(db, other, { video_id: V(99) });
  return { contest, other, front, community, e1, e2, e3, e4, e5, b1 };
}

type World = Awaited<ReturnType<typeof world>>;

function csvFor(w: World): string {
  return [
    'Mã video,Lượt xem,Lượt thích,Bình luận,Chia sẻ,Thời điểm',
    `${w.e1.video_id},1.000.000,50.000,2.000,1.000,03/09/2021 12:00`,
    `${w.e2.code},200.000,30.000,100,50,03/09/2021 12:00`,
    `https://www.tiktok.com/@x/video/${w.e1.video_id},13.000.000,600.000,20.000,9.000,08/09/2021 12:00`,
    `${w.e3.video_id},5.000,1.000,10,10,01/10/2021 09:00`,
    `${w.b1.video_id},999,1,1,1,03/09/2021 12:00`,
    `${w.e5.video_id},-1,1,1,1,03/09/2021 12:00`,
  ].join('\n');
}

async function uploadCsv(agent: TestAgent, slug: string, csv: string, name = 'tiktok-export.csv') {
  const token = await tokenFor(agent, `/organiser/contests/${slug}/metrics`);
  return agent.post(`/organiser/contests/${slug}/metrics/imports`).field('_csrf', token).attach('file', Buffer.from(csv), { filename: name, contentType: 'text/csv' });
}

/** Upload → preview (mapping guessed from the headers) → start → progress page → report. */
async function importThroughBrowser(agent: TestAgent, slug: string, csv: string, name?: string) {
  const preview = await uploadCsv(agent, slug, csv, name);
  expect(preview.status).toBe(200);
  const action = /action="(\/organiser\/contests\/[^"]+\/metrics\/imports\/pending\/[^"]+)"/.exec(preview.text)![1]!;
  const selected = (name: string) => new RegExp(`name="${name}"[^>]*>[\\s\\S]*?<option value="(\\d*)" selected`).exec(preview.text)?.[1];
  const mapping = { video: selected('video'), views: selected('views'), likes: selected('likes'), comments: selected('comments'), shares: selected('shares'), capturedAt: selected('capturedAt') };
  expect(mapping).toEqual({ video: '0', views: '1', likes: '2', comments: '3', shares: '4', capturedAt: '5' });
  const started = await agent.post(action).type('form').send({ _csrf: csrfFrom(preview.text), ...mapping, capturedAtAll: '' });
  expect(started.status).toBe(303);
  await settleImportJobs();
  const job = await agent.get(started.headers.location!);
  expect(job.status).toBe(303);
  return agent.get(job.headers.location!);
}

describe('metrics in the browser', () => {
  let w: World;
  let organiser: TestAgent;
  beforeAll(async () => {
    w = await world();
    organiser = (await agentAs(app, db, 'organiser')).agent;
  });

  test('an organiser imports a CSV through the preview: report counts, reasons and the downloadable report', async () => {
    const report = await importThroughBrowser(organiser, w.contest.slug, csvFor(w), 'số liệu tháng 9.csv');
    expect(report.status).toBe(200);
    expect(report.text).toContain('<strong>số liệu tháng 9.csv</strong>');
    const count = (k: string) => new RegExp(`data-count="${k}">([^<]+)<`).exec(report.text)?.[1];
    expect([count('rows'), count('accepted'), count('skipped'), count('refused')]).toEqual(['6', '4', '1', '1']);
    expect(report.text).toContain('Video không phải bài dự thi của cuộc thi này');
    expect(report.text).toContain('Số âm ở cột Lượt xem');
    const id = /metrics\/imports\/(\d+)\/report/.exec(report.text)![1];
    const csv = await organiser.get(`/organiser/contests/${w.contest.slug}/metrics/imports/${id}/report`);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.text.replace(/^\uFEFF/, '').trim().split('\n')).toEqual([
      'Dòng,Kết quả,Lý do,Giá trị',
      `6,Bỏ qua,Video không phải bài dự thi của cuộc thi này,${w.b1.video_id}`,
      '7,Từ chối,Số âm ở cột Lượt xem,-1',
    ]);
    // The other contest's clip got nothing.
    const [n] = await rows<{ n: number }>(db.pool, 'SELECT count(*)::int AS n FROM metric_snapshots WHERE entry_id = $1', [w.b1.id]);
    expect(n!.n).toBe(0);

    // The same file again: the report says so and nothing is added.
    const again = await importThroughBrowser(organiser, w.contest.slug, csvFor(w));
    expect(/data-count="accepted">([^<]+)</.exec(again.text)?.[1]).toBe('0');
    expect(again.text).toContain(`Tệp giống hệt lần nhập #${id}.`);
    const [total] = await rows<{ n: number }>(db.pool, 'SELECT count(*)::int AS n FROM metric_snapshots');
    expect(total!.n).toBe(4);
  });

  test('the dashboard shows totals, per-day entries and views over time equal to a recomputation, written the Vietnamese way', async () => {
    const res = await organiser.get(`/organiser/contests/${w.contest.slug}/dashboard`);
    expect(res.status).toBe(200);
    const kpi = (k: string) => new RegExp(`data-kpi="${k}"[^>]*>([^<]+)<`).exec(res.text)?.[1];
    // 4 live entries (the withdrawn one is not counted), 3 eligible; latest views 13.000.000 + 200.000 + 5.000.
    expect([kpi('entries'), kpi('eligible'), kpi('views'), kpi('likes')]).toEqual(['4', '3', '13,2 triệu', '631 nghìn']);
    expect(res.text).toContain('title="13.205.000"');
    expect(res.text).toContain('<svg class="chart"');
    expect(res.text).not.toMatch(/<script>/);

    const exp = await organiser.get(`/organiser/contests/${w.contest.slug}/dashboard/export`);
    const lines = exp.text.replace(/^\uFEFF/, '').trim().split('\n');
    expect(lines[1]).toBe('totals,all,4,13205000,631000,20110,9060');
    expect(lines[2]).toBe('totals,eligible,3,,,,');
    // Entries per day in Asia/Ho_Chi_Minh, recomputed from the entries' creation times.
    const perDay = lines.filter((l) => l.startsWith('entries_per_day,') && !l.endsWith(',0,,,,')).map((l) => l.split(',').slice(1, 3).join(' '));
    const live = [w.e1, w.e2, w.e3, w.e5];
    const created = await rows<{ id: number; created_at: Date }>(db.pool, 'SELECT id, created_at FROM entries WHERE id = ANY($1)', [live.map((e) => e.id)]);
    const expected = new Map<string, number>();
    for (const c of created) {
      const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(c.created_at);
      expected.set(day, (expected.get(day) ?? 0) + 1);
    }
    expect(perDay).toEqual([...expected.entries()].sort().map(([d, n]) => `${d} ${n}`));
    expect(perDay).toEqual(['2021-09-02 2', '2021-09-30 2']);
    expect(lines.filter((l) => l.startsWith('entries_per_day,')).length).toBe(30);
    // Views over time carry each entry's latest figure forward: 1,2 M from 3 Sept, 13,2 M from 8 Sept, + 5.000 on 1 Oct.
    const views = new Map(lines.filter((l) => l.startsWith('engagement_by_day,')).map((l) => [l.split(',')[1], Number(l.split(',')[3])]));
    expect([views.get('2021-09-02'), views.get('2021-09-03'), views.get('2021-09-07'), views.get('2021-09-08'), views.get('2021-09-30'), views.get('2021-10-01')])
      .toEqual([0, 1200000, 1200000, 13200000, 13200000, 13205000]);
    expect(lines).toContain('category,Người lao động tuyến đầu,2,13200000,630000,,');
    expect(lines).toContain('category,Cộng đồng,1,5000,1000,,');
    expect(lines).toContain('category,,1,0,0,,');
    expect(lines).toContain('province,Hà Nội,2,13200000,630000,,');
    expect(lines.filter((l) => l.startsWith('top_views,')).map((l) => l.split(',')[1])).toEqual([w.e1.code, w.e2.code, w.e3.code]);
    // Entry 5 was posted in August (video id timestamp), the others inside the window.
    expect(lines).toContain('posting,before_window,1,,,,');
    expect(lines).toContain('posting,inside_window,3,,,,');
    const posted = await organiser.get(`/organiser/contests/${w.contest.slug}/dashboard/posted?which=before`);
    expect(posted.text).toContain(w.e5.code);
    expect(posted.text).not.toContain(w.e1.code);

    // In English: the same figures, written the English way.
    await organiser.get('/lang/en?next=/');
    const en = await organiser.get(`/organiser/contests/${w.contest.slug}/dashboard`);
    expect(en.text).toContain('Campaign dashboard — Thời khắc khó quên');
    expect(/data-kpi="views"[^>]*>([^<]+)</.exec(en.text)?.[1]).toBe('13.2 million');
    expect(en.text).toContain('title="13,205,000"');
    await organiser.get('/lang/vi?next=/');
  });

  test('an organiser corrects one entry by hand: audited, the totals follow; a bad number is refused per field', async () => {
    const page = `/organiser/contests/${w.contest.slug}/metrics/entries/${w.e2.code}`;
    const bad = await organiser.post(page).type('form').send({ _csrf: await tokenFor(organiser, page), capturedAt: '2021-09-03T12:00', views: '-3', likes: '1', comments: '', shares: '0' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Số nguyên không âm');
    expect(bad.text).toContain('value="-3"');
    const ok = await organiser.post(page).type('form').send({ _csrf: await tokenFor(organiser, page), capturedAt: '2021-09-03T12:00', views: '250.000', likes: '31.000', comments: '100', shares: '50' });
    expect(ok.status).toBe(303);
    const snaps = await rows<{ views: number; source: string }>(db.pool, "SELECT views, source FROM metric_snapshots WHERE entry_id = $1 AND captured_at = '2021-09-03T05:00:00Z'", [w.e2.id]);
    expect(snaps).toEqual([{ views: 250000, source: 'manual' }]);
    const audit = await rows<{ action: string; before: { views: number }; after: { views: number } }>(db.pool, "SELECT action, before, after FROM audit_log WHERE action LIKE 'metrics.snapshot.%'");
    expect(audit.map((a) => [a.action, a.before.views, a.after.views])).toEqual([['metrics.snapshot.correct', 200000, 250000]]);
    const exp = await organiser.get(`/organiser/contests/${w.contest.slug}/dashboard/export`);
    expect(exp.text).toContain('totals,all,4,13255000,');
    // The running totals moved by exactly the correction, from its day on.
    const byDay = new Map(exp.text.split('\n').filter((l) => l.startsWith('engagement_by_day,')).map((l) => [l.split(',')[1], Number(l.split(',')[3])]));
    expect([byDay.get('2021-09-02'), byDay.get('2021-09-03'), byDay.get('2021-09-08'), byDay.get('2021-10-01')]).toEqual([0, 1250000, 13250000, 13255000]);
    // An entry of another contest is not found under this contest.
    expect((await organiser.get(`/organiser/contests/${w.contest.slug}/metrics/entries/${w.b1.code}`)).status).toBe(404);
  });

  test("people's choice: the ranking from rankByEngagement, a preview of another formula, saving the rule", async () => {
    const tier = await createMetricsPrizeTier(db, w.contest.id, { name: 'Giải được yêu thích nhất', count: 1 });
    const page = await organiser.get(`/organiser/contests/${w.contest.slug}/peoples-choice`);
    expect(page.status).toBe(200);
    // Default rule: views, cut-off at the deadline; eligible entries only (e3 is not eligible; e5 has no figures).
    const codes = (html: string) => [...html.matchAll(/<tr class="(winner)?"><td class="num">(\d+)<\/td><td>([A-Z]+-\d+)<\/td>/g)].map((m) => `${m[2]} ${m[3]}${m[1] ? ' *' : ''}`);
    expect(codes(page.text)).toEqual([`1 ${w.e1.code} *`, `2 ${w.e2.code}`]);
    // Cut-off before 8 Sept: e1's 13 M snapshot does not count yet; weighted by likes×10 + shares.
    const preview = await organiser.get(`/organiser/contests/${w.contest.slug}/peoples-choice?tier=${tier.id}&formula=weighted&wViews=0&wLikes=10&wComments=0&wShares=1&cutoff=2021-09-05T00:00`);
    expect(codes(preview.text)).toEqual([`1 ${w.e1.code} *`, `2 ${w.e2.code}`]);
    expect(preview.text).toContain('10 × Lượt thích + 1 × Chia sẻ');
    const saved = await organiser.post(`/organiser/contests/${w.contest.slug}/peoples-choice/${tier.id}`).type('form')
      .send({ _csrf: await tokenFor(organiser, `/organiser/contests/${w.contest.slug}/peoples-choice`), formula: 'likes', wViews: '', wLikes: '', wComments: '', wShares: '', cutoff: '2021-09-05T00:00' });
    expect(saved.status).toBe(303);
    const [t] = await rows<{ engagement: unknown }>(db.pool, 'SELECT engagement FROM prize_tiers WHERE id = $1', [tier.id]);
    expect(t!.engagement).toEqual({ formula: 'likes', weights: { views: 0, likes: 0, comments: 0, shares: 0 }, cutoffAt: '2021-09-04T17:00:00.000Z' });
  });

  test('the public page shows totals only; a draft contest is not disclosed', async () => {
    const res = await request(app).get(`/c/${w.contest.slug}/stats`);
    expect(res.status).toBe(200);
    expect(/data-kpi="views">([^<]+)</.exec(res.text)?.[1]).toBe('13,3 triệu');
    expect(res.text).not.toContain(w.e1.code);
    const draft = await createContest(db, { slug: 'ban-nhap', code_prefix: 'NHAP', state: 'draft' });
    expect((await request(app).get(`/c/${draft.slug}/stats`)).status).toBe(404);
  });

  test('a judge gets 403 on every organiser screen, and cannot upload', async () => {
    const { agent: judge } = await agentAs(app, db, 'judge');
    for (const p of ['dashboard', 'dashboard/export', 'metrics', 'peoples-choice', `metrics/entries/${w.e1.code}`]) {
      expect({ p, status: (await judge.get(`/organiser/contests/${w.contest.slug}/${p}`)).status }).toEqual({ p, status: 403 });
    }
    const up = await uploadCsv(judge, w.contest.slug, csvFor(w)).catch(() => ({ status: 403 }));
    expect(up.status).toBe(403);
    const [n] = await rows<{ n: number }>(db.pool, 'SELECT count(*)::int AS n FROM metric_imports');
    expect(n!.n).toBe(2);
  });
});
