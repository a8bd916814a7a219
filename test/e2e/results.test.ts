import { createEntry, createStaff, TEST_PASSWORD } from '../helpers/factories';
import { addResultsScoresheet, createResultsContest, createResultsPrizeTier, createResultsRound } from '../helpers/factories/results';
import { testDb } from '../helpers/db';
import { DESKTOP, PHONE, describeBrowser, screenshot, signIn, useBrowserSite, watchConsole } from '../helpers/browser';
import { staffActor } from '../../src/audit/service';
import { publishWinners, suggestWinners } from '../../src/results/winners';
import { findContestBySlug } from '../../src/contests/queries';

const db = testDb();

describeBrowser('results, winners and the ceremony in Chromium', () => {
  let slug: string;
  let organiser: { email: string };

  const site = useBrowserSite(db);
  beforeAll(async () => {
    const contest = await createResultsContest(db, { state: 'judging', slug: 'le-trao-giai', title: 'Thời khắc khó quên', public_fields: ['displayName', 'province'] });
    slug = contest.slug;
    const round = await createResultsRound(db, contest, { name: 'Chung khảo' });
    const judge = await createStaff(db, { role: 'judge' });
    const names = ['Nguyễn Thị Trúc Linh', 'Phạm Đức Anh', 'Võ Thị Hằng', 'Đặng Quốc Việt'];
    for (const [i, name] of names.entries()) {
      const e = await createEntry(db, contest, { status: 'eligible', full_name: name, display_name: name, title: `Khoảnh khắc ${i + 1}` });
      await addResultsScoresheet(db, round, e.id, judge.id, [9 - i]);
    }
    await createResultsPrizeTier(db, contest, { name: 'Giải Nhất', count: 1, position: 1 });
    await createResultsPrizeTier(db, contest, { name: 'Giải Nhì', count: 2, position: 2 });
    const org = await createStaff(db, { role: 'organiser', name: 'Ban Tổ Chức' });
    organiser = org;
    await suggestWinners(db.pool, contest, staffActor(org));
  });

  test('the organiser screens render (ranking, winners list)', async () => {
    const page = await site.newPage({ viewport: DESKTOP });
    const problems = watchConsole(page);
    await signIn(page, organiser.email, TEST_PASSWORD);
    await page.goto(`${site.url}/organiser/contests/${slug}/results`);
    expect(await page.locator('.results-table tbody tr').count()).toBe(4);
    await screenshot(page, 'results-ranking-desktop');
    await page.goto(`${site.url}/organiser/contests/${slug}/winners`);
    expect(await page.locator('.tier').count()).toBe(2);
    await screenshot(page, 'results-winners-manage-desktop');
    expect(problems).toEqual([]);
    await page.close();
  });

  test('the ceremony is driven with the keyboard through every slide, lowest prize first', async () => {
    await publishWinners(db.pool, (await findContestBySlug(db.pool, slug))!, staffActor(await createStaff(db, { role: 'organiser' })));
    const page = await site.newPage({ viewport: { width: 1280, height: 720 } });
    const problems = watchConsole(page);
    await page.goto(`${site.url}/c/${slug}/ceremony`);
    const step = async () => Number(await page.getAttribute('body', 'data-step'));
    const visible = async () => (await page.locator('.slide:not([hidden])').innerText()).replace(/\s+/g, ' ').trim();
    const shown = () => page.locator('.slide:not([hidden]) .reveal.shown').count();
    // Title, Giải Nhì + 2 reveals, Giải Nhất + 1 reveal, the end: 7 steps.
    expect(await page.getAttribute('body', 'data-steps')).toBe('7');
    expect(await visible()).toContain('Thời khắc khó quên');
    await screenshot(page, 'results-ceremony-title');
    await page.keyboard.press('ArrowRight');
    expect(await step()).toBe(1);
    expect(await page.locator('.slide:not([hidden]) .prize').innerText()).toBe('Giải Nhì');
    expect(await shown()).toBe(0);
    await page.keyboard.press('Space');
    expect(await shown()).toBe(1);
    await page.keyboard.press('PageDown');
    expect(await shown()).toBe(2);
    expect(await visible()).toContain('Phạm Đức Anh');
    expect(await visible()).toContain('Võ Thị Hằng');
    await screenshot(page, 'results-ceremony-second');
    await page.keyboard.press('ArrowLeft');
    expect(await shown()).toBe(1);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    expect(await page.locator('.slide:not([hidden]) .prize').innerText()).toBe('Giải Nhất');
    expect(await shown()).toBe(0);
    await page.keyboard.press('Enter');
    expect(await visible()).toContain('Nguyễn Thị Trúc Linh');
    await page.waitForTimeout(700);
    await screenshot(page, 'results-ceremony-first');
    await page.keyboard.press('ArrowRight');
    expect(await step()).toBe(6);
    expect(await visible()).toContain('Xin chúc mừng');
    await page.keyboard.press('ArrowRight');
    expect(await step()).toBe(6);
    await page.keyboard.press('Home');
    expect(await step()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  test('the presenter view shows what comes next and drives the audience window', async () => {
    const context = await site.newContext({ viewport: { width: 1280, height: 720 } });
    const audience = await context.newPage();
    const problems = watchConsole(audience);
    await audience.goto(`${site.url}/c/${slug}/ceremony`);
    const presenter = await context.newPage();
    problems.push(...watchConsole(presenter));
    await presenter.goto(`${site.url}/c/${slug}/ceremony?presenter=1`);
    expect(await presenter.locator('#next-preview').innerText()).toBe('Giải Nhì');
    await presenter.keyboard.press('ArrowRight');
    await audience.waitForSelector('body[data-step="1"]');
    expect(await presenter.locator('#next-preview').innerText()).toContain('Phạm Đức Anh');
    expect(await presenter.locator('#notes li').allInnerTexts()).toEqual([
      expect.stringContaining('Phạm Đức Anh'),
      expect.stringContaining('Võ Thị Hằng'),
    ]);
    await presenter.keyboard.press('ArrowRight');
    await audience.waitForSelector('body[data-step="2"]');
    expect(await audience.locator('.slide:not([hidden]) .reveal.shown').count()).toBe(1);
    await presenter.waitForTimeout(600);
    await screenshot(presenter, 'results-ceremony-presenter');
    expect(problems).toEqual([]);
    await context.close();
  });

  test('the public winners page on a phone, the clip loaded only on click', async () => {
    const page = await site.newPage({ viewport: PHONE });
    const problems = watchConsole(page);
    await page.goto(`${site.url}/c/${slug}/winners`);
    expect(await page.locator('.winner').count()).toBe(3);
    expect(await page.locator('iframe').count()).toBe(0);
    await screenshot(page, 'results-public-phone');
    // TikTok is not reachable here: the iframe is created, its load is not awaited.
    await page.route('https://www.tiktok.com/**', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<p>clip</p>' }));
    await page.locator('.play-clip').first().click();
    expect(await page.locator('iframe.clip').count()).toBe(1);
    expect(problems).toEqual([]);
    await page.close();
  });
});
