import fs from 'node:fs';
import { SYSTEM_ACTOR } from '../../src/audit/service';
import { importSnapshots } from '../../src/metrics/importer';
import { createStaff, TEST_PASSWORD } from '../helpers/factories/staff';
import { createContest, createEntry } from '../helpers/factories/contests';
import { createMetricsCategory, writeMetricsFile } from '../helpers/factories/metrics';
import { testDb } from '../helpers/db';
import { DESKTOP, describeBrowser, screenshot, signIn, useBrowserSite, watchConsole } from '../helpers/browser';

const db = testDb();
const PROVINCES = ['Hà Nội', 'TP. Hồ Chí Minh', 'Đà Nẵng', 'Hải Phòng', 'Cần Thơ', 'Nghệ An'];

describeBrowser('the campaign dashboard in Chromium', () => {
  const site = useBrowserSite(db);
  beforeAll(async () => {
  }, 60_000);

  test('an organiser opens the dashboard of a September contest and prints it', async () => {
    const contest = await createContest(db, {
      slug: 'thoi-khac-kho-quen', title: 'Thời khắc khó quên', code_prefix: 'TKKQ', state: 'judging',
      opens_at: new Date('2021-09-01T00:00:00+07:00'), closes_at: new Date('2021-09-30T23:59:00+07:00'),
    });
    const cats = [await createMetricsCategory(db, contest.id, 'Người lao động tuyến đầu', 1), await createMetricsCategory(db, contest.id, 'Cộng đồng', 2)];
    // 90 entries over the month, more of them near the deadline (the burst), one posted in August.
    const lines = ['Mã bài dự thi;Lượt xem;Lượt thích;Bình luận;Chia sẻ;Thời điểm'];
    for (let i = 1; i <= 90; i++) {
      const day = Math.min(30, Math.max(1, Math.round(30 * Math.pow(i / 90, 0.6))));
      const postedAt = Date.parse(`2021-09-${String(day).padStart(2, '0')}T08:00:00+07:00`) / 1000 - (i === 7 ? 20 * 86400 : 0);
      const e = await createEntry(db, contest, {
        title: `Khoảnh khắc tuyến đầu số ${i}`, category_id: cats[i % 2]!.id, province: PROVINCES[i % PROVINCES.length],
        status: i % 9 === 0 ? 'received' : 'eligible', video_id: String((BigInt(Math.floor(postedAt)) << 32n) + BigInt(i)),
        created_at: new Date(`2021-09-${String(day).padStart(2, '0')}T${String(8 + (i % 12)).padStart(2, '0')}:00:00+07:00`),
      });
      // Snapshots every few days after the entry came in, growing like the seed article's story.
      for (const d of [3, 7, 14, 21, 28, 35]) {
        const at = day + d;
        if (at > 40) continue;
        const date = new Date(Date.UTC(2021, 8, at, 5));
        const views = Math.round(((i * 7919) % 90000 + 5000) * d * (i % 10 === 0 ? 12 : 1));
        const dd = String(date.getUTCDate()).padStart(2, '0');
        const mm = String(date.getUTCMonth() + 1).padStart(2, '0');
        lines.push(`${e.code};${views.toLocaleString('vi-VN')};${Math.round(views / 18).toLocaleString('vi-VN')};${Math.round(views / 400)};${Math.round(views / 650)};${dd}/${mm}/2021 12:00`);
      }
    }
    await importSnapshots(db.pool, { contest, filePath: writeMetricsFile(lines.join('\n')), fileName: 'tiktok.csv', actor: SYSTEM_ACTOR });
    const organiser = await createStaff(db, { role: 'organiser', name: 'Ban tổ chức' });

    const page = await site.newPage({ viewport: DESKTOP });
    const problems = watchConsole(page);
    await signIn(page, organiser.email, TEST_PASSWORD);
    await page.goto(`${site.url}/organiser/contests/${contest.slug}/dashboard`);
    expect(await page.textContent('[data-kpi=entries]')).toBe('90');
    expect(await page.textContent('[data-kpi=eligible]')).toBe('80');
    expect(await page.locator('svg.chart').count()).toBe(2);
    expect(await page.locator('svg.chart rect.bar').count()).toBe(30);
    expect(await page.textContent('[data-posting=before]')).toContain('1');
    const file = await screenshot(page, 'metrics-dashboard');
    fs.copyFileSync(file, '/tmp/metrics-dashboard.png');
    await page.emulateMedia({ media: 'print' });
    fs.copyFileSync(await screenshot(page, 'metrics-dashboard-print'), '/tmp/metrics-dashboard-print.png');
    // The printed report fits one A4 page, for the press release.
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    fs.writeFileSync('/tmp/metrics-dashboard.pdf', pdf);
    expect((pdf.toString('latin1').match(/\/Type\s*\/Page(?!s)/g) ?? []).length).toBe(1);
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);

  test('an organiser uploads an export, maps the columns on the preview, reads the report, and checks the people\'s choice', async () => {
    const contest = await createContest(db, {
      slug: 'nhap-so-lieu', title: 'Cuộc thi nhập số liệu', code_prefix: 'NSL', state: 'judging',
      opens_at: new Date('2021-09-01T00:00:00+07:00'), closes_at: new Date('2021-09-30T23:59:00+07:00'),
    });
    const entries = [];
    for (let i = 0; i < 4; i++) entries.push(await createEntry(db, contest, { status: 'eligible', title: `Clip dự thi ${i + 1}` }));
    await db.pool.query(`INSERT INTO prize_tiers (contest_id, name, count, decided_by) VALUES ($1, 'Giải được yêu thích nhất', 1, 'engagement')`, [contest.id]);
    const csv = ['Ngày lấy;Link video;Lượt xem;Lượt thích;Bình luận;Chia sẻ',
      ...entries.map((e, i) => `20/09/2021 21:00;https://www.tiktok.com/@u/video/${e.video_id};${((i + 1) * 123456).toLocaleString('vi-VN')};${(i + 1) * 2000};${i * 30};${i * 7}`),
      '20/09/2021 21:00;https://www.tiktok.com/@u/video/7999999999999999999;10;1;0;0',
      '20/09/2021 21:00;TKKQ-1;nhiều;1;0;0'].join('\n');
    const file = writeMetricsFile(csv, 'xuất từ TikTok.csv');
    const organiser = await createStaff(db, { role: 'organiser', name: 'Ban tổ chức 2' });
    const page = await site.newPage({ viewport: DESKTOP });
    const problems = watchConsole(page);
    // Signed in first, then straight to the page (the return-to-after-login path is the first test's).
    await signIn(page, organiser.email, TEST_PASSWORD);
    await page.goto(`${site.url}/organiser/contests/${contest.slug}/metrics`);
    await page.setInputFiles('#f-file', file);
    await page.click('form[enctype] button[type=submit]');
    await page.waitForSelector('form.mapping');
    expect(await page.inputValue('#f-video')).toBe('1');
    expect(await page.inputValue('#f-capturedAt')).toBe('0');
    fs.copyFileSync(await screenshot(page, 'metrics-preview'), '/tmp/metrics-preview.png');
    await page.click('form.mapping button[type=submit]');
    await page.waitForSelector('[data-count=accepted]');
    expect(await page.textContent('[data-count=accepted]')).toBe('4');
    expect(await page.textContent('[data-count=refused]')).toBe('1');
    fs.copyFileSync(await screenshot(page, 'metrics-report'), '/tmp/metrics-report.png');
    await page.goto(`${site.url}/organiser/contests/${contest.slug}/peoples-choice`);
    expect(await page.textContent('tr.winner td:nth-child(2)')).toBe(entries[3]!.code);
    fs.copyFileSync(await screenshot(page, 'metrics-peoples-choice'), '/tmp/metrics-peoples-choice.png');
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);
});
