import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { one } from '../../src/db';
import { utcToZonedLocal } from '../../src/i18n/format';
import { createStaff, createEntry, TEST_PASSWORD } from '../helpers/factories';
import { contestBannerPng } from '../helpers/factories/contestImages';
import { testDb } from '../helpers/db';
import { DESKTOP, PHONE, describeBrowser, screenshot, signIn, useBrowserSite, watchConsole } from '../helpers/browser';

const db = testDb();
const uploadDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipjury-e2e-contests-'));
const bannerFile = path.join(uploadDir, 'banner.png');

/** The few DOM shapes the page functions use (the project compiles without the DOM library). */
interface El {
  tagName: string;
  id: string;
  textContent: string | null;
  closest(sel: string): El | null;
  parentElement: El | null;
  getBoundingClientRect(): { right: number; width: number };
}
interface Doc {
  document: { querySelector(sel: string): El | null; querySelectorAll(sel: string): Iterable<El>; documentElement: { scrollWidth: number } };
}

/** Elements sticking out sideways (outside scrolling tables): a phone page must not scroll horizontally. */
const overflowing = (page: Page, width: number) =>
  page.evaluate((w) => {
    const doc = (globalThis as unknown as Doc).document;
    const out = [...doc.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > w + 1 && !e.parentElement?.closest('.table-wrap'))
      .map((e) => e.tagName + (e.id ? '#' + e.id : ''))
      .slice(0, 5);
    if (doc.documentElement.scrollWidth > w) out.push(`document ${doc.documentElement.scrollWidth}px`);
    return out;
  }, width);

describeBrowser('an organiser creates and publishes a contest in Chromium', () => {
  const site = useBrowserSite(db, { UPLOAD_DIR: uploadDir });
  beforeAll(async () => {
    fs.writeFileSync(bannerFile, contestBannerPng());
  });
  afterAll(() => {
    fs.rmSync(uploadDir, { recursive: true, force: true });
  });

  test.each([
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ])('form with a mistake, fixed, banner, publish, public page with countdown (%s)', async (name, viewport) => {
    const organiser = await createStaff(db, { role: 'organiser', name: 'Ban Tổ chức' });
    const page = await site.newPage({ viewport });
    const problems = watchConsole(page);
    page.on('dialog', (d) => void d.accept());
    await signIn(page, organiser.email, TEST_PASSWORD);

    await page.goto(`${site.url}/organiser/contests`);
    await page.click('a[href="/organiser/contests/new"]');
    await page.waitForSelector('form.contest-form');
    const tz = 'Asia/Ho_Chi_Minh';
    const title = `Thời khắc khó quên ${name}`;
    const opens = utcToZonedLocal(new Date(Date.now() - 86400_000), tz);
    const closes = utcToZonedLocal(new Date(Date.now() + 5 * 86400_000 + 3 * 3600_000), tz);
    await page.fill('#f-title', title);
    await page.fill('#f-summary', 'Tri ân lực lượng tuyến đầu chống dịch.');
    await page.fill('#f-hashtags', '#ThoiKhacKhoQuen');
    await page.fill('#f-rules_md', '# Thể lệ\n\n- Đăng clip lên TikTok\n- Gửi link tại đây');
    await page.fill('#f-opens_local', closes);
    await page.fill('#f-closes_local', opens);
    // Entry codes are unique across contests: one prefix per run.
    const prefix = name === 'phone' ? 'tkkq' : 'tkkd';
    await page.fill('#f-code_prefix', prefix);
    await page.fill('#cat-name-0', 'Lực lượng tuyến đầu');
    await page.fill('#cat-name-1', 'Cộng đồng');
    await page.fill('#prize-name-0', 'Giải Nhất');
    await page.fill('#prize-count-0', '0');
    await page.fill('#prize-name-1', 'Giải bình chọn');
    await page.fill('#prize-count-1', '1');
    await page.selectOption('#prize-by-1', 'engagement');
    await page.click('.sticky-actions button[type=submit]');
    await page.waitForSelector('.flash-error');
    // Cross-field rules show once the fields themselves are valid: the dates first.
    expect(await page.textContent('#f-closes_local-err')).toBe('Hạn chót phải sau thời điểm bắt đầu nhận bài.');
    expect(await page.inputValue('#f-title')).toBe(title);
    expect(await page.inputValue('#cat-name-1')).toBe('Cộng đồng');
    expect(await page.inputValue('#prize-count-0')).toBe('0');
    expect(await page.textContent('.prize-row .error')).toBe('Số lượng giải phải từ 1 đến 1000.');
    await screenshot(page, `contests-form-errors-${name}`);
    expect(await overflowing(page, viewport.width)).toEqual([]);

    await page.fill('#f-opens_local', opens);
    await page.fill('#f-closes_local', closes);
    await page.fill('#prize-count-0', '1');
    await page.click('.sticky-actions button[type=submit]');
    await page.waitForSelector('.flash-success');
    expect(await page.textContent('.flash-success')).toContain(`Đã tạo cuộc thi “${title}”`);
    const c = await one<{ id: number; slug: string; code_prefix: string }>(db.pool, 'SELECT id, slug::text AS slug, code_prefix FROM contests WHERE title = $1', [title]);
    expect(c.slug).toBe(`thoi-khac-kho-quen-${name}`);
    expect(c.code_prefix).toBe(prefix.toUpperCase());

    await page.setInputFiles('#f-banner', bannerFile);
    await page.click('form[action$="/banner"] button[type=submit]');
    await page.waitForSelector('.banner-preview');
    await page.click('form[action$="/state"] button[type=submit]');
    await page.waitForSelector('[data-test=phase].badge-good');
    expect(await page.textContent('[data-test=phase]')).toBe('Đang nhận bài');
    await screenshot(page, `contests-form-saved-${name}`);
    expect(await overflowing(page, viewport.width)).toEqual([]);

    await createEntry(db, c);
    await page.goto(`${site.url}/c/${c.slug}`);
    expect(await page.textContent('h1')).toBe(title);
    expect(await page.getAttribute('a.button.big', 'href')).toBe(`/c/${c.slug}/submit`);
    const loaded = await page.$eval('.contest-banner', (img) => (img as unknown as { naturalWidth: number }).naturalWidth);
    expect(loaded).toBe(960);
    // The script counts down from the server's time: seconds appear, and the text changes.
    await page.waitForFunction(() => /giây/.test((globalThis as unknown as Doc).document.querySelector('.cd-text')?.textContent ?? ''));
    const t1 = await page.textContent('.cd-text');
    await page.waitForFunction((prev) => (globalThis as unknown as Doc).document.querySelector('.cd-text')?.textContent !== prev, t1);
    expect(t1).toMatch(/^5 ngày 0[23] giờ \d\d phút \d\d giây$/);
    await screenshot(page, `contests-page-${name}`);
    expect(await overflowing(page, viewport.width)).toEqual([]);

    await page.goto(`${site.url}/`);
    expect(await page.textContent('.contest-card h2')).toBeTruthy();
    await screenshot(page, `contests-home-${name}`);
    expect(await overflowing(page, viewport.width)).toEqual([]);
    await page.goto(`${site.url}/c/${c.slug}/rules`);
    expect(await page.textContent('.rules-body h1')).toBe('Thể lệ');
    await screenshot(page, `contests-rules-${name}`);
    // The same page in English, through the language switch.
    await page.goto(`${site.url}/c/${c.slug}`);
    await page.click('a[lang=en]');
    await page.waitForSelector('html[lang=en]');
    expect(await page.textContent('a.button.big')).toBe('Submit an entry');
    await page.waitForFunction(() => / s$/.test((globalThis as unknown as Doc).document.querySelector('.cd-text')?.textContent ?? ''));
    await screenshot(page, `contests-page-en-${name}`);
    expect(await overflowing(page, viewport.width)).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });
});
