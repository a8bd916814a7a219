import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { execute, rows } from '../../../src/db';
import { createEntry, createStaff, TEST_PASSWORD } from '../../helpers/factories';
import { addResultsScoresheet, createResultsContest, createResultsPrizeTier, createResultsRound } from '../../helpers/factories/results';
import { testDb } from '../../helpers/db';
import { DESKTOP, PHONE, axeViolations, describeBrowser, screenshot, signIn, useBrowserSite, watchConsole } from '../../helpers/browser';

const db = testDb();

/** Journey 4: from scored sheets to a published winners list, the ceremony and a certificate. */
describeBrowser('journey 4: the organiser computes results, promotes a shortlist, awards the prizes and runs the ceremony', () => {
  const site = useBrowserSite(db);

  const noAxe = async (page: Page) => expect(await axeViolations(page)).toEqual([]);
  /** A phone page must not scroll sideways (tables scroll inside their own wrapper). */
  const pageWidth = (page: Page) => page.evaluate('document.documentElement.scrollWidth');
  const firstColumn = (page: Page, col: number) => page.$$eval(`.results-table tbody tr td:nth-child(${col})`, (tds) => tds.map((td) => (td as unknown as { textContent: string }).textContent.trim()));

  test.each([
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ])('results of round 1 → top 3 promoted → round 2 results → suggested prizes, one replaced → published → certificate → ceremony (%s)', async (name, viewport) => {
    // Prerequisites the journey does not cover: two rounds, judges' submitted scoresheets in round 1, two prize tiers.
    const contest = await createResultsContest(db, { state: 'judging', slug: `chung-ket-${name}`, title: `Thời khắc khó quên ${name}`, public_fields: ['displayName', 'province'] });
    const r1 = await createResultsRound(db, contest, { name: 'Sơ khảo', position: 1, state: 'closed' });
    const r2 = await createResultsRound(db, contest, { name: 'Chung khảo', position: 2, entrySource: 'promoted', state: 'draft' });
    const j1 = await createStaff(db, { role: 'judge' });
    const j2 = await createStaff(db, { role: 'judge' });
    const names = ['Nguyễn Thị Trúc Linh', 'Phạm Đức Anh', 'Võ Thị Hằng', 'Đặng Quốc Việt', 'Lê Minh Châu'];
    const marks = [[9, 9], [8, 8], [7, 8], [6, 6], [5, 4]];
    const entries = [];
    for (const [i, full] of names.entries()) {
      const e = await createEntry(db, contest, { status: 'eligible', full_name: full, display_name: full, title: `Khoảnh khắc ${i + 1}` });
      await addResultsScoresheet(db, r1, e.id, j1.id, [marks[i]![0]!]);
      await addResultsScoresheet(db, r1, e.id, j2.id, [marks[i]![1]!]);
      entries.push(e);
    }
    const [e1, e2, e3, e4] = entries as [(typeof entries)[0], (typeof entries)[0], (typeof entries)[0], (typeof entries)[0]];
    await createResultsPrizeTier(db, contest, { name: 'Giải Nhất', count: 1, position: 1 });
    await createResultsPrizeTier(db, contest, { name: 'Giải Nhì', count: 2, position: 2 });
    const organiser = await createStaff(db, { role: 'organiser', name: 'Ban Tổ Chức' });
    const base = `/organiser/contests/${contest.slug}`;

    const context = await site.newContext({ viewport, acceptDownloads: true });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const problems = watchConsole(page);
    const confirms: string[] = [];
    page.on('dialog', (d) => {
      confirms.push(d.message());
      void d.accept();
    });
    await signIn(page, organiser.email, TEST_PASSWORD);

    // 1. Round 1 results: five entries ranked by their mean.
    await page.goto(`${site.url}${base}/results?round=${r1.id}`);
    expect(await firstColumn(page, 2)).toEqual(entries.map((e) => e.code));
    expect(await firstColumn(page, 4)).toEqual(['9.00', '8.00', '7.50', '6.00', '4.50']);
    await screenshot(page, `journey4-results-r1-${name}`);
    expect(await pageWidth(page)).toBeLessThanOrEqual(viewport.width);
    await noAxe(page);

    // 2. The top three go on to the final round (a confirmation first).
    await page.fill('#f-n', '3');
    await page.click('form[action$="/results/promote"] button[type=submit]');
    await page.waitForSelector('.flash-success');
    expect(await page.textContent('.flash-success')).toContain('Đã chuyển 3 bài vào Chung khảo.');
    expect(confirms).toHaveLength(1);
    const promoted = await rows<{ entry_id: number }>(db.pool, 'SELECT entry_id FROM round_entries WHERE round_id = $1 ORDER BY entry_id', [r2.id]);
    expect(promoted.map((p) => p.entry_id)).toEqual([e1.id, e2.id, e3.id]);

    // The final round is judged (seeded: two sheets per finalist) and closed.
    for (const [e, a, b] of [[e1, 8, 8], [e2, 9, 10], [e3, 7, 7]] as const) {
      await addResultsScoresheet(db, r2, e.id, j1.id, [a]);
      await addResultsScoresheet(db, r2, e.id, j2.id, [b]);
    }
    await execute(db.pool, `UPDATE rounds SET state = 'closed' WHERE id = $1`, [r2.id]);

    // 3. The final round's ranking (the last round is the default).
    await page.goto(`${site.url}${base}/results`);
    expect(await firstColumn(page, 2)).toEqual([e2.code, e1.code, e3.code]);
    await screenshot(page, `journey4-results-r2-${name}`);

    // 4. Winners: suggested from the ranking, then one prize given to another entry with a reason.
    await page.goto(`${site.url}${base}/winners`);
    await noAxe(page);
    await page.click('form[action$="/winners/suggest"] button[type=submit]');
    await page.waitForSelector('.flash-success');
    expect(await page.textContent('.flash-success')).toContain('Đã đề xuất 3 giải.');
    const codesIn = (tier: string) => page.locator('.tier', { hasText: tier }).locator('.winners-table td:nth-child(2)').allInnerTexts();
    expect(await codesIn('Giải Nhất')).toEqual([e2.code]);
    expect(await codesIn('Giải Nhì')).toEqual([e1.code, e3.code]);
    await screenshot(page, `journey4-winners-suggested-${name}`);
    await noAxe(page);
    const e3Row = page.locator('.winners-table tr', { hasText: e3.code });
    await e3Row.locator('summary').click();
    await e3Row.locator('input[name=entryCode]').fill(e4.code);
    await e3Row.locator('form[action$="/replace"] input[name=reason]').fill('Bài KK3 dùng nhạc không có bản quyền');
    await e3Row.locator('form[action$="/replace"] button[type=submit]').click();
    await page.waitForSelector('.flash-success');
    expect(await codesIn('Giải Nhì')).toEqual([e1.code, e4.code]);
    expect(await page.locator('.winners-table tr', { hasText: e4.code }).innerText()).toContain('Bài KK3 dùng nhạc không có bản quyền');
    await screenshot(page, `journey4-winners-adjusted-${name}`);
    expect(await pageWidth(page)).toBeLessThanOrEqual(viewport.width);

    // 5. Publish (confirmed), the list is public.
    await page.click('form[action$="/winners/publish"] button[type=submit]');
    await page.waitForSelector('.winners-state .badge-good');
    expect(await page.textContent('.winners-state .badge')).toBe('Đã công bố');
    await screenshot(page, `journey4-winners-published-${name}`);
    await noAxe(page);

    // 6. A certificate for the first prize, downloaded as a PDF.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('.winners-table tr', { hasText: e2.code }).locator('a[href$="/certificate.pdf"]').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.pdf$/);
    const pdf = fs.readFileSync((await download.path())!);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.length).toBeGreaterThan(1000);

    // 7. The ceremony, lowest prize first, driven with the keyboard.
    await page.click(`a[href="/c/${contest.slug}/ceremony"]`);
    await page.waitForURL(`${site.url}/c/${contest.slug}/ceremony`);
    expect(await page.getAttribute('body', 'data-steps')).toBe('7');
    await noAxe(page);
    await page.keyboard.press('ArrowRight');
    expect(await page.locator('.slide:not([hidden]) .prize').innerText()).toBe('Giải Nhì');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    const slide = await page.locator('.slide:not([hidden])').innerText();
    expect(slide).toContain('Nguyễn Thị Trúc Linh');
    expect(slide).toContain('Đặng Quốc Việt');
    expect(slide).not.toContain('Võ Thị Hằng');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    expect(await page.locator('.slide:not([hidden])').innerText()).toContain('Phạm Đức Anh');
    await page.waitForTimeout(700);
    await screenshot(page, `journey4-ceremony-first-${name}`);
    await noAxe(page);

    expect(problems).toEqual([]);
    await context.close();
  });
});
