import { createStaff, TEST_PASSWORD } from '../helpers/factories';
import { testDb } from '../helpers/db';
import { DESKTOP, PHONE, axeViolations, describeBrowser, screenshot, signIn, useBrowserSite, watchConsole } from '../helpers/browser';

const db = testDb();

describeBrowser('sign-in and staff accounts in Chromium', () => {
  const site = useBrowserSite(db);

  test.each([
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ])('an admin signs in, creates a judge with a typo, fixes it, and switches to English (%s)', async (name, viewport) => {
    const admin = await createStaff(db, { role: 'admin', name: 'Trần Thị Quản Trị' });
    const page = await site.newPage({ viewport });
    const problems = watchConsole(page);
    await page.goto(`${site.url}/admin/accounts`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await screenshot(page, `foundation-login-${name}`);
    expect(await axeViolations(page)).toEqual([]);
    await signIn(page, admin.email, TEST_PASSWORD);
    expect(page.url()).toBe(`${site.url}/admin/accounts`);

    await page.fill('#f-name', 'Lê Văn Giám Khảo');
    await page.fill('#f-email', `judge-${name}@example`);
    await page.fill('#f-password', 'đủ dài rồi nhé');
    await page.click('form[action="/admin/accounts"] button[type=submit]');
    await page.waitForSelector('.field.has-error');
    expect(await page.inputValue('#f-name')).toBe('Lê Văn Giám Khảo');
    expect(await page.textContent('#f-email-err')).toBe('Email không hợp lệ.');
    await screenshot(page, `foundation-accounts-error-${name}`);
    expect(await axeViolations(page)).toEqual([]);

    await page.fill('#f-email', `judge-${name}@example.test`);
    await page.fill('#f-password', 'đủ dài rồi nhé');
    await page.click('form[action="/admin/accounts"] button[type=submit]');
    await page.waitForSelector('.flash-success');
    expect(await page.textContent('.flash-success')).toBe(`Đã tạo tài khoản judge-${name}@example.test.`);
    expect(await page.textContent('table')).toContain('Lê Văn Giám Khảo');

    await page.click('a[lang=en]');
    await page.waitForSelector('html[lang=en]');
    expect(await page.textContent('h1')).toBe('Staff accounts');
    await screenshot(page, `foundation-accounts-en-${name}`);
    expect(problems).toEqual([]);
    await page.close();
  });
});
