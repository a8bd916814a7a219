import fs from 'node:fs';
import path from 'node:path';
import { execute } from '../../src/db';
import { createContest, createEntry } from '../helpers/factories';
import { entriesUploadDir, entriesVideoId, ENTRIES_MP4 } from '../helpers/factories/entries';
import { testDb } from '../helpers/db';
import { PHONE, describeBrowser, screenshot, useBrowserSite, watchConsole } from '../helpers/browser';

const db = testDb();

describeBrowser('an entrant on a phone: the form, a failed submit, the receipt, the gallery', () => {
  const site = useBrowserSite(db, { RATE_LIMITS: 'false', UPLOAD_DIR: entriesUploadDir() });

  test('submits with a typo, fixes it, uploads the original file, keeps the code, finds clips in the gallery', async () => {
    const c = await createContest(db, { slug: 'thoi-khac-kho-quen', title: 'Thời khắc khó quên', code_prefix: 'TKKQ', upload_mode: 'optional', entrant_fields: { province: 'optional' } });
    await execute(db.pool, `INSERT INTO categories (contest_id, name, position) VALUES ($1, 'Tuyến đầu', 1), ($1, 'Cộng đồng', 2)`, [c.id]);
    await createEntry(db, c, { status: 'eligible', title: 'Ca trực đêm của Trúc Linh', display_name: 'Trúc Linh' });
    const page = await site.newPage({ viewport: PHONE });
    const problems = watchConsole(page);
    await page.goto(`${site.url}/c/${c.slug}/submit`);
    await screenshot(page, 'entries-form-phone');

    const id = entriesVideoId();
    await page.fill('#f-tiktokUrl', `https://www.tiktok.com/@linh.nguyen/video/${id}?is_from_webapp=1`);
    await page.fill('#f-title', 'Nụ cười sau lớp khẩu trang');
    await page.fill('#f-description', 'Một ngày ở khu cách ly');
    await page.selectOption('#f-category', { label: 'Tuyến đầu' });
    await page.fill('#f-fullName', 'Nguyễn Thị Trúc Linh');
    await page.fill('#f-phone', '0912 34');
    await page.fill('#f-email', 'linh@example.vn');
    await page.fill('#f-province', 'Hà Nội');
    await page.check('input[name=hashtagConfirmed]');
    // Consent forgotten, phone cut short.
    await page.click('button[type=submit]');
    await page.waitForSelector('.field.has-error');
    expect(await page.inputValue('#f-title')).toBe('Nụ cười sau lớp khẩu trang');
    expect(await page.inputValue('#f-fullName')).toBe('Nguyễn Thị Trúc Linh');
    expect(await page.inputValue('#f-province')).toBe('Hà Nội');
    expect(await page.inputValue('#f-category')).not.toBe('');
    expect(await page.textContent('#f-phone-err')).toContain('0912 345 678');
    expect(await page.textContent('#f-consent-err')).toContain('Thể lệ');
    await screenshot(page, 'entries-form-error-phone');

    await page.fill('#f-phone', '0912 345 678');
    await page.check('input[name=consent]');
    const file = path.join(entriesUploadDir(), 'clip gốc.mp4');
    fs.writeFileSync(file, ENTRIES_MP4);
    await page.setInputFiles('#f-video', file);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-code]');
    expect(await page.textContent('[data-code]')).toBe('TKKQ-00002');
    await screenshot(page, 'entries-receipt-phone');

    // The private link opens the entrant's page.
    await page.click('.receipt a[href*="/my/"]');
    await page.waitForSelector('.my-entry');
    expect(await page.textContent('h1')).toContain('TKKQ-00002');
    await screenshot(page, 'entries-my-phone');

    await page.goto(`${site.url}/c/${c.slug}/gallery?q=truc+linh`);
    expect(await page.locator('.gallery-card').count()).toBe(1);
    expect(await page.textContent('.gallery-card h2')).toBe('Ca trực đêm của Trúc Linh');
    // No TikTok frame before a click.
    expect(await page.locator('iframe').count()).toBe(0);
    await screenshot(page, 'entries-gallery-phone');
    expect(problems).toEqual([]);
    await page.close();
  });
});
