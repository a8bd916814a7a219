import ExcelJS from 'exceljs';
import { rows } from '../../../src/db';
import { SYSTEM_ACTOR } from '../../../src/audit/service';
import { importSnapshots, ImportFileError } from '../../../src/metrics/importer';
import { createContest, createEntry } from '../../helpers/factories/contests';
import { writeMetricsFile } from '../../helpers/factories/metrics';
import { resetDb, testDb } from '../../helpers/db';

const db = testDb();
afterAll(() => db.close());

const V1 = '7003421587766431111';
const V2 = '7003421587766432222';
const V4 = '7003421587766434444';
const VB = '7003421587766439999';

async function world() {
  await resetDb(db.pool);
  const contest = await createContest(db, { code_prefix: 'TKKQ', time_zone: 'Asia/Ho_Chi_Minh' });
  const other = await createContest(db, { code_prefix: 'KHAC' });
  const e1 = await createEntry(db, contest, { video_id: V1 });
  const e2 = await createEntry(db, contest, { video_id: V2 });
  const e3 = await createEntry(db, contest, { video_id: null, tiktok_url_input: 'https://vm.tiktok.com/ZSJxxYv2K/' });
  const e4 = await createEntry(db, contest, { video_id: V4, status: 'withdrawn' });
  const b1 = await createEntry(db, other, { video_id: VB });
  return { contest, other, e1, e2, e3, e4, b1 };
}

// Vietnamese headers in an unusual order, semicolons, Vietnamese thousand separators.
const VI_CSV = [
  'Thời gian;Lượt thích;Link video;Lượt xem;Bình luận;Chia sẻ',
  `03/09/2021 10:00;1.234;https://www.tiktok.com/@a/video/${V1}?is_from_webapp=1;1.234.567;12;3`,
  '2021-09-03 10:00;20;TKKQ-00002;5.000;1;0',
  '03/09/2021 10:00;5;https://vm.tiktok.com/ZSJxxYv2K/;"1,2 triệu";0;0',
  `03/09/2021 10:00;1;${VB};100;0;0`,
  `03/09/2021 10:00;-5;${V2};100;0;0`,
  `03/09/2021 10:00;1;${V1};abc;0;0`,
  `31/02/2021 10:00;1;${V1};100;0;0`,
  `03/09/2021 10:00;1;${V4};100;0;0`,
  '03/09/2021 10:00;1;https://www.youtube.com/watch?v=dQw4w9WgXcQ;100;0;0',
  `04/09/2021 10:00;2.000;${V1};2.000.000;20;5`,
].join('\r\n');

/** The daily totals table against a recomputation from every snapshot, in JavaScript. */
async function expectDailyTotalsRecomputed(contestId: number) {
  const snaps = await rows<{ entry_id: number; captured_at: Date; views: number; likes: number }>(
    db.pool, 'SELECT entry_id, captured_at, views, likes FROM metric_snapshots WHERE contest_id = $1 ORDER BY captured_at', [contestId]);
  const table = await rows<{ day: string; views: number; likes: number }>(
    db.pool, "SELECT to_char(day, 'YYYY-MM-DD') AS day, views, likes FROM metric_daily_totals WHERE contest_id = $1 ORDER BY day", [contestId]);
  const dayOf = (d: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(d);
  const days = [...new Set(snaps.map((s) => dayOf(s.captured_at)))].sort();
  const recomputed = days.map((day) => {
    const latest = new Map<number, (typeof snaps)[number]>();
    for (const s of snaps) if (dayOf(s.captured_at) <= day) latest.set(s.entry_id, s);
    const v = [...latest.values()];
    return { day, views: v.reduce((a, s) => a + s.views, 0), likes: v.reduce((a, s) => a + s.likes, 0) };
  });
  expect(table.filter((t) => days.includes(t.day))).toEqual(recomputed);
  return recomputed;
}

describe('importing engagement snapshots', () => {
  test('a Vietnamese CSV: matched by link, code and short link; unknown, withdrawn and other-contest clips skipped; bad rows refused with reasons', async () => {
    const w = await world();
    const file = writeMetricsFile(VI_CSV, 'số liệu tháng 9.csv');
    const r = await importSnapshots(db.pool, { contest: w.contest, filePath: file, fileName: 'số liệu tháng 9.csv', actor: SYSTEM_ACTOR });
    expect({ rowsRead: r.rowsRead, accepted: r.accepted, skipped: r.skipped, duplicates: r.duplicates, refused: r.refused, sameFileAs: r.sameFileAs })
      .toEqual({ rowsRead: 10, accepted: 4, skipped: 2, duplicates: 0, refused: 4, sameFileAs: null });

    const snaps = await rows<{ entry_id: number; captured_at: Date; views: number; likes: number; comments: number; shares: number; import_id: number }>(
      db.pool, 'SELECT entry_id, captured_at, views, likes, comments, shares, import_id FROM metric_snapshots ORDER BY entry_id, captured_at');
    expect(snaps.map((s) => [s.entry_id, s.captured_at.toISOString(), s.views, s.likes, s.comments, s.shares, s.import_id])).toEqual([
      [w.e1.id, '2021-09-03T03:00:00.000Z', 1234567, 1234, 12, 3, r.importId],
      [w.e1.id, '2021-09-04T03:00:00.000Z', 2000000, 2000, 20, 5, r.importId],
      [w.e2.id, '2021-09-03T03:00:00.000Z', 5000, 20, 1, 0, r.importId],
      [w.e3.id, '2021-09-03T03:00:00.000Z', 1200000, 5, 0, 0, r.importId],
    ]);
    // Nothing reached the other contest's entry.
    expect(snaps.some((s) => s.entry_id === w.b1.id)).toBe(false);

    const [imp] = await rows<{ file_name: string; accepted: number; skipped: number; refused: number; rows_read: number; report: unknown[]; sha256: string }>(
      db.pool, 'SELECT file_name, accepted, skipped, refused, rows_read, report, sha256 FROM metric_imports WHERE id = $1', [r.importId]);
    expect(imp!.file_name).toBe('số liệu tháng 9.csv');
    expect(imp!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(imp!.report).toEqual([
      { row: 5, outcome: 'skipped', reason: 'unknown_video', field: 'video', value: VB },
      { row: 6, outcome: 'refused', reason: 'negative', field: 'likes', value: '-5' },
      { row: 7, outcome: 'refused', reason: 'not_a_number', field: 'views', value: 'abc' },
      { row: 8, outcome: 'refused', reason: 'bad_time', field: 'capturedAt', value: '31/02/2021 10:00' },
      { row: 9, outcome: 'skipped', reason: 'unknown_video', field: 'video', value: V4 },
      { row: 10, outcome: 'refused', reason: 'bad_video', field: 'video', value: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ' },
    ]);

    // Latest snapshot per entry and the day-by-day totals equal a recomputation from the snapshots.
    const latest = await rows<{ entry_id: number; views: number }>(db.pool, 'SELECT entry_id, views FROM metric_latest ORDER BY entry_id');
    expect(latest).toEqual([{ entry_id: w.e1.id, views: 2000000 }, { entry_id: w.e2.id, views: 5000 }, { entry_id: w.e3.id, views: 1200000 }]);
    const days = await rows<{ day: string; views: number; likes: number }>(db.pool, "SELECT to_char(day, 'YYYY-MM-DD') AS day, views, likes FROM metric_daily_totals ORDER BY day");
    const recomputed = ['2021-09-03', '2021-09-04'].map((day) => {
      const end = new Date(`${day}T23:59:59.999+07:00`).getTime();
      const perEntry = new Map<number, (typeof snaps)[number]>();
      for (const s of snaps) if (s.captured_at.getTime() <= end) perEntry.set(s.entry_id, s);
      const vals = [...perEntry.values()];
      return { day, views: vals.reduce((a, s) => a + s.views, 0), likes: vals.reduce((a, s) => a + s.likes, 0) };
    });
    expect(days).toEqual(recomputed);
    expect(days).toEqual([{ day: '2021-09-03', views: 2439567, likes: 1259 }, { day: '2021-09-04', views: 3205000, likes: 2025 }]);

    const audit = await rows<{ action: string; subject_id: string }>(db.pool, "SELECT action, subject_id FROM audit_log WHERE action = 'metrics.import'");
    expect(audit).toEqual([{ action: 'metrics.import', subject_id: String(r.importId) }]);
  });

  test('the same file imported again adds nothing and says which import it repeats', async () => {
    const w = await world();
    const file = writeMetricsFile(VI_CSV);
    const first = await importSnapshots(db.pool, { contest: w.contest, filePath: file, fileName: 'a.csv', actor: SYSTEM_ACTOR });
    const again = await importSnapshots(db.pool, { contest: w.contest, filePath: file, fileName: 'a (1).csv', actor: SYSTEM_ACTOR });
    expect({ accepted: again.accepted, duplicates: again.duplicates, skipped: again.skipped, refused: again.refused, sameFileAs: again.sameFileAs })
      .toEqual({ accepted: 0, duplicates: 4, skipped: 6, refused: 4, sameFileAs: first.importId });
    const [n] = await rows<{ n: number }>(db.pool, 'SELECT count(*)::int AS n FROM metric_snapshots');
    expect(n!.n).toBe(4);
    const days = await rows<{ views: number }>(db.pool, 'SELECT views FROM metric_daily_totals ORDER BY day');
    expect(days.map((d) => d.views)).toEqual([2439567, 3205000]);
  });

  test('history imported after newer figures (older snapshots) and a later export: daily totals still equal a recomputation', async () => {
    const w = await world();
    const at = (d: string) => ({ capturedAt: new Date(d) });
    await importSnapshots(db.pool, { contest: w.contest, filePath: writeMetricsFile(`Video,Views,Likes\n${V1},9000,90\n${V2},500,5\n`), fileName: 'a.csv', actor: SYSTEM_ACTOR, ...at('2021-09-10T05:00:00Z') });
    expect(await expectDailyTotalsRecomputed(w.contest.id)).toEqual([{ day: '2021-09-10', views: 9500, likes: 95 }]);
    // Older figures arrive afterwards: the growth of 10 Sept changes, so the totals are rebuilt.
    await importSnapshots(db.pool, { contest: w.contest, filePath: writeMetricsFile(`Video,Views,Likes\n${V1},1000,10\n`), fileName: 'b.csv', actor: SYSTEM_ACTOR, ...at('2021-09-04T05:00:00Z') });
    expect(await expectDailyTotalsRecomputed(w.contest.id)).toEqual([{ day: '2021-09-04', views: 1000, likes: 10 }, { day: '2021-09-10', views: 9500, likes: 95 }]);
    // A later export only adds growth on its own day.
    await importSnapshots(db.pool, { contest: w.contest, filePath: writeMetricsFile(`Video,Views,Likes\n${V2},2500,25\nTKKQ-00003,100,1\n`), fileName: 'c.csv', actor: SYSTEM_ACTOR, ...at('2021-09-12T05:00:00Z') });
    expect(await expectDailyTotalsRecomputed(w.contest.id)).toEqual([
      { day: '2021-09-04', views: 1000, likes: 10 }, { day: '2021-09-10', views: 9500, likes: 95 }, { day: '2021-09-12', views: 11600, likes: 116 },
    ]);
  });

  test('English headers with a BOM and one time for the whole file; a small batch size gives the same result', async () => {
    const w = await world();
    const csv = `\uFEFFVideo ID,Views,Likes,Comments,Shares\n${V1},"1,500",10,2,1\n${V2},700,7,0,0\n`;
    const at = new Date('2021-09-10T05:00:00Z');
    const progress: number[] = [];
    const r = await importSnapshots(db.pool, { contest: w.contest, filePath: writeMetricsFile(csv), fileName: 'en.csv', capturedAt: at, actor: SYSTEM_ACTOR, batchSize: 1, onProgress: (p) => progress.push(p.rowsRead) });
    expect([r.accepted, r.skipped, r.refused]).toEqual([2, 0, 0]);
    expect(progress[progress.length - 1]).toBe(2);
    const snaps = await rows<{ entry_id: number; views: number; captured_at: Date }>(db.pool, 'SELECT entry_id, views, captured_at FROM metric_snapshots ORDER BY entry_id');
    expect(snaps).toEqual([{ entry_id: w.e1.id, views: 1500, captured_at: at }, { entry_id: w.e2.id, views: 700, captured_at: at }]);
  });

  test('an XLSX export is read the same way', async () => {
    const w = await world();
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Số liệu');
    ws.addRow(['Mã bài dự thi', 'Lượt xem', 'Lượt thích', 'Bình luận', 'Chia sẻ', 'Ngày']);
    ws.addRow(['TKKQ-00001', 12000, 300, 4, 2, '05/09/2021 08:30']);
    ws.addRow(['TKKQ-00099', 1, 0, 0, 0, '05/09/2021 08:30']);
    const file = writeMetricsFile(Buffer.from(await wb.xlsx.writeBuffer()), 'export.xlsx');
    const r = await importSnapshots(db.pool, { contest: w.contest, filePath: file, fileName: 'export.xlsx', actor: SYSTEM_ACTOR });
    expect([r.rowsRead, r.accepted, r.skipped, r.refused]).toEqual([2, 1, 1, 0]);
    const [s] = await rows<{ entry_id: number; views: number; captured_at: Date }>(db.pool, 'SELECT entry_id, views, captured_at FROM metric_snapshots');
    expect(s).toEqual({ entry_id: w.e1.id, views: 12000, captured_at: new Date('2021-09-05T01:30:00Z') });
  });

  test('a file without a video column, or without any time, imports nothing at all', async () => {
    const w = await world();
    await expect(importSnapshots(db.pool, { contest: w.contest, filePath: writeMetricsFile('Views,Likes\n1,2\n'), fileName: 'x.csv', capturedAt: new Date(), actor: SYSTEM_ACTOR }))
      .rejects.toMatchObject({ messageKey: 'metrics.import.noVideoColumn' });
    await expect(importSnapshots(db.pool, { contest: w.contest, filePath: writeMetricsFile(`Video,Views\n${V1},2\n`), fileName: 'x.csv', actor: SYSTEM_ACTOR }))
      .rejects.toBeInstanceOf(ImportFileError);
    const [n] = await rows<{ imports: number; snaps: number }>(db.pool, 'SELECT (SELECT count(*) FROM metric_imports)::int AS imports, (SELECT count(*) FROM metric_snapshots)::int AS snaps');
    expect(n).toEqual({ imports: 0, snaps: 0 });
  });
});
