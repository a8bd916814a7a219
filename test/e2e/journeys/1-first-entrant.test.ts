import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { one } from '../../../src/db';
import { createContest } from '../../helpers/factories';
import { ENTRIES_MP4, entriesUploadDir, entriesVideoId } from '../../helpers/factories/entries';
import { testDb } from '../../helpers/db';
import { DESKTOP, PHONE, axeViolations, describeBrowser, screenshot, useBrowserSite, watchConsole } from '../../helpers/browser';

const db = testDb();
const uploadDir = entriesUploadDir();

/** Journey 1: a first-time entrant, from the home page to a refused duplicate. */
describeBrowser('journey 1: a first-time entrant finds the contest, submits, looks the entry up, corrects it', () => {
  const site = useBrowserSite(db, { RATE_LIMITS: 'false', UPLOAD_DIR: uploadDir });
  afterAll(() => {
    fs.rmSync(uploadDir, { recursive: true, force: true });
  });

  const noAxe = async (page: Page) => expect(await axeViolations(page)).toEqual([]);

  test.each([
    ['phone', PHONE, 'J1P'],
    ['desktop', DESKTOP, 'J1D'],
  ])('home → contest → form with a short link and an MP4 → receipt → look-up → correction → duplicate refused (%s)', async (name, viewport, prefix) => {
    // A closed contest beside the open one: the entrant must pick the open one.
    await createContest(db, { slug: `da-ket-thuc-${name}`, title: `Mùa trước ${name}`, code_prefix: `${prefix}X`, opens_at: new Date(Date.now() - 40 * 86400_000), closes_at: new Date(Date.now() - 30 * 86400_000) });
    const c = await createContest(db, { slug: `thoi-khac-${name}`, title: `Thời khắc khó quên ${name}`, code_prefix: prefix, upload_mode: 'optional' });
    const page = await site.newPage({ viewport });
    const problems = watchConsole(page);

    // 1. Home: the open contest is marked as open and leads to its page, then to the form.
    await page.goto(`${site.url}/`);
    const card = page.locator('.contest-card', { hasText: c.title });
    expect(await card.locator('.badge').innerText()).toBe('Đang nhận bài');
    await screenshot(page, `journey1-home-${name}`);
    await noAxe(page);
    await card.locator('h2 a').click();
    await page.waitForURL(`${site.url}/c/${c.slug}`);
    expect(await page.textContent('h1')).toBe(c.title);
    await noAxe(page);
    await page.click('a.button.big');
    await page.waitForURL(`${site.url}/c/${c.slug}/submit`);
    await noAxe(page);

    // 2. The form: a short vm.tiktok.com link (not resolved in tests) and a small MP4 file.
    const fullName = 'Nguyễn Thị Trúc Linh';
    await page.fill('#f-tiktokUrl', 'https://vm.tiktok.com/ZSJ8aBcDe/');
    await page.fill('#f-title', 'Nụ cười sau lớp khẩu trang');
    await page.fill('#f-description', 'Một ngày ở khu cách ly');
    await page.fill('#f-fullName', fullName);
    await page.fill('#f-phone', '0912 345 678');
    await page.fill('#f-email', `linh.${name}@example.vn`);
    await page.check('input[name=hashtagConfirmed]');
    await page.check('input[name=consent]');
    const file = path.join(uploadDir, 'clip gốc.mp4');
    fs.writeFileSync(file, ENTRIES_MP4);
    await page.setInputFiles('#f-video', file);
    await screenshot(page, `journey1-form-${name}`);
    await page.click('form.entry-form button[type=submit]');

    // 3. The receipt: the code, the link "to verify", the private link.
    await page.waitForSelector('[data-code]');
    const code = (await page.textContent('[data-code]'))!.trim();
    expect(code).toBe(`${prefix}-00001`);
    expect(await page.locator('.receipt').innerText()).toContain('https://vm.tiktok.com/ZSJ8aBcDe/');
    await screenshot(page, `journey1-receipt-${name}`);
    await noAxe(page);
    const stored = await one<{ link_status: string; video_id: string | null; file_id: number | null; size: string | null }>(
      db.pool,
      `SELECT e.link_status, e.video_id, e.video_file_id AS file_id, f.size_bytes::text AS size FROM entries e LEFT JOIN stored_files f ON f.id = e.video_file_id WHERE e.contest_id = $1 AND e.code = $2`,
      [c.id, code],
    );
    expect(stored).toEqual({ link_status: 'to_verify', video_id: null, file_id: expect.any(Number), size: String(ENTRIES_MP4.length) });

    // 4. Later, on another device (a fresh browser context): look the entry up by code and phone.
    const context = await site.newContext({ viewport });
    const later = await context.newPage();
    problems.push(...watchConsole(later));
    await later.goto(`${site.url}/c/${c.slug}/my`);
    await noAxe(later);
    await later.fill('#f-code', code.toLowerCase());
    await later.fill('#f-contact', 'linh.wrong@example.vn');
    await later.click('form.entry-form button[type=submit]');
    await later.waitForSelector('.flash-error');
    expect(await later.inputValue('#f-code')).toBe(code.toLowerCase());
    await screenshot(later, `journey1-lookup-miss-${name}`);
    await later.fill('#f-contact', '0912345678');
    await later.click('form.entry-form button[type=submit]');
    await later.waitForSelector('.my-entry');
    expect(await later.textContent('h1')).toContain(code);
    expect(await later.locator('.my-entry .summary').innerText()).toContain(fullName);
    await screenshot(later, `journey1-my-${name}`);
    await noAxe(later);

    // 5. The correction: the full link (now a known clip) and a better title.
    const videoId = entriesVideoId();
    const fullUrl = `https://www.tiktok.com/@linh.nguyen/video/${videoId}`;
    await later.fill('#f-tiktokUrl', fullUrl);
    await later.fill('#f-title', 'Nụ cười sau lớp khẩu trang xanh');
    await later.click(`form[action="/c/${c.slug}/my/${code}"] button[type=submit]`);
    await later.waitForSelector('.flash-success');
    expect(await later.locator('.my-entry .summary').innerText()).toContain('Nụ cười sau lớp khẩu trang xanh');
    await screenshot(later, `journey1-corrected-${name}`);
    await noAxe(later);
    const corrected = await one<{ title: string; link_status: string; video_id: string | null }>(
      db.pool,
      'SELECT title, link_status, video_id FROM entries WHERE contest_id = $1 AND code = $2',
      [c.id, code],
    );
    expect(corrected).toEqual({ title: 'Nụ cười sau lớp khẩu trang xanh', link_status: 'ok', video_id: videoId });

    // 6. Her own details: a half-typed phone is refused beside the field and kept; then stored in E.164.
    const details = `form[action="/c/${c.slug}/my/${code}/details"] button[type=submit]`;
    await later.fill('#f-phone', '0903 111');
    await later.click(details);
    await later.waitForSelector('#f-phone-err');
    expect(await later.inputValue('#f-phone')).toBe('0903 111');
    await screenshot(later, `journey1-details-error-${name}`);
    await noAxe(later);
    await later.fill('#f-phone', '0903 111 222');
    await later.click(details);
    await later.waitForSelector('.flash-success');
    expect(await later.locator('.my-entry .summary').innerText()).toContain('+84903111222');
    await screenshot(later, `journey1-details-saved-${name}`);
    await context.close();

    // 7. On a third device, without the code: a one-time sign-in link by email.
    const third = await site.newContext({ viewport });
    const mailPage = await third.newPage();
    problems.push(...watchConsole(mailPage));
    await mailPage.goto(`${site.url}/c/${c.slug}/my`);
    await mailPage.fill('#f-email', `Linh.${name}@example.vn`);
    await mailPage.click('form.sign-in-link-form button[type=submit]');
    await mailPage.waitForSelector('.sign-in-link [role=status]');
    await screenshot(mailPage, `journey1-link-sent-${name}`);
    await noAxe(mailPage);
    const mail = await one<{ text_body: string }>(db.pool, `SELECT text_body FROM outbox WHERE kind = 'entrant_sign_in_link' AND to_address = $1`, [`linh.${name}@example.vn`]);
    const linkPath = /(\/c\/\S+\/my-link\?t=[A-Za-z0-9_-]{43})/.exec(mail.text_body)?.[1] as string;
    await mailPage.goto(`${site.url}${linkPath}`);
    await screenshot(mailPage, `journey1-link-confirm-${name}`);
    await noAxe(mailPage);
    await mailPage.click('.sign-in-link button[type=submit]');
    await mailPage.waitForSelector('.my-entry');
    expect(await mailPage.textContent('h1')).toContain(code);
    await mailPage.goto(`${site.url}${linkPath}`);
    expect(await mailPage.textContent('h1')).toBe('Đường dẫn đã được dùng hoặc đã hết hạn');
    await screenshot(mailPage, `journey1-link-used-${name}`);
    await noAxe(mailPage);
    await third.close();

    // 8. A second submission of the same clip (another person, same link) is refused at the link field.
    await page.goto(`${site.url}/c/${c.slug}/submit`);
    await page.fill('#f-tiktokUrl', `${fullUrl}?is_from_webapp=1`);
    await page.fill('#f-title', 'Bài gửi lại');
    await page.fill('#f-fullName', 'Phạm Đức Anh');
    await page.fill('#f-phone', '0987 654 321');
    await page.check('input[name=hashtagConfirmed]');
    await page.check('input[name=consent]');
    await page.click('form.entry-form button[type=submit]');
    await page.waitForSelector('#f-tiktokUrl-err');
    expect(await page.textContent('#f-tiktokUrl-err')).toContain('Clip này đã được gửi dự thi rồi');
    expect(await page.inputValue('#f-fullName')).toBe('Phạm Đức Anh');
    await screenshot(page, `journey1-duplicate-${name}`);
    await noAxe(page);
    const count = await one<{ n: number }>(db.pool, 'SELECT count(*)::int AS n FROM entries WHERE contest_id = $1', [c.id]);
    expect(count.n).toBe(1);

    expect(problems).toEqual([]);
    await page.close();
  });
});
