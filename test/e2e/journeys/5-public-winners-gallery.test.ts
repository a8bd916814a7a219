import type { Page } from 'playwright-core';
import { staffActor } from '../../../src/audit/service';
import { findContestBySlug } from '../../../src/contests/queries';
import { publishWinners, suggestWinners } from '../../../src/results/winners';
import { createEntry, createStaff } from '../../helpers/factories';
import { addResultsScoresheet, createResultsCategory, createResultsContest, createResultsPrizeTier, createResultsRound } from '../../helpers/factories/results';
import { testDb } from '../../helpers/db';
import { DESKTOP, PHONE, axeViolations, describeBrowser, screenshot, useBrowserSite, watchConsole } from '../../helpers/browser';

const db = testDb();

/** Journey 5: anyone, signed out, sees who won and browses the entries. */
describeBrowser('journey 5: the public sees the winners page and the gallery', () => {
  const site = useBrowserSite(db);

  const noAxe = async (page: Page) => expect(await axeViolations(page)).toEqual([]);
  const pageWidth = (page: Page) => page.evaluate('document.documentElement.scrollWidth');

  test.each([
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ])('home → contest → winners (clip on click) → gallery: search, category, an entry page; refused entries stay hidden (%s)', async (name, viewport) => {
    // Prerequisites: a judged contest with a published winners list (set up through the results service).
    const contest = await createResultsContest(db, {
      state: 'judging', slug: `ket-qua-${name}`, title: `Thời khắc khó quên ${name}`, public_fields: ['displayName', 'province'],
      opens_at: new Date(Date.now() - 40 * 86400_000), closes_at: new Date(Date.now() - 10 * 86400_000),
    });
    const frontline = await createResultsCategory(db, contest, 'Tuyến đầu', 1);
    const community = await createResultsCategory(db, contest, 'Cộng đồng', 2);
    const round = await createResultsRound(db, contest, { name: 'Chung khảo' });
    const judge = await createStaff(db, { role: 'judge' });
    const people = [
      ['Nguyễn Thị Trúc Linh', 'Ca trực đêm', frontline.id, 'Hà Nội'],
      ['Phạm Đức Anh', 'Bữa cơm 0 đồng', community.id, 'Đà Nẵng'],
      ['Võ Thị Hằng', 'Chuyến xe cuối', frontline.id, 'Cần Thơ'],
      ['Đặng Quốc Việt', 'Góc phố mùa dịch', community.id, 'Huế'],
    ] as const;
    const entries = [];
    for (const [i, [full, title, categoryId, province]] of people.entries()) {
      const e = await createEntry(db, contest, { status: 'eligible', full_name: full, display_name: full, title, category_id: categoryId, province });
      await addResultsScoresheet(db, round, e.id, judge.id, [9 - i]);
      entries.push(e);
    }
    const refused = await createEntry(db, contest, { status: 'not_eligible', title: 'Clip bị loại', full_name: 'Trần Văn Loại' });
    await createResultsPrizeTier(db, contest, { name: 'Giải Nhất', count: 1, position: 1 });
    await createResultsPrizeTier(db, contest, { name: 'Giải Nhì', count: 2, position: 2 });
    const organiser = staffActor(await createStaff(db, { role: 'organiser' }));
    const row = (await findContestBySlug(db.pool, contest.slug))!;
    await suggestWinners(db.pool, row, organiser);
    await publishWinners(db.pool, (await findContestBySlug(db.pool, contest.slug))!, organiser);

    const context = await site.newContext({ viewport });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const problems = watchConsole(page);
    // TikTok is not reachable here: the embed answers from a stub, only once a visitor asks for it.
    const tiktok: string[] = [];
    await context.route('https://www.tiktok.com/**', (route) => {
      tiktok.push(route.request().url());
      return route.fulfill({ status: 200, contentType: 'text/html', body: '<p>clip</p>' });
    });

    // 1. From the home page to the contest, which leads to its winners.
    await page.goto(`${site.url}/`);
    await page.locator('.contest-card', { hasText: contest.title }).locator('h2 a').click();
    await page.waitForURL(`${site.url}/c/${contest.slug}`);
    await noAxe(page);
    await page.click(`a[href="/c/${contest.slug}/winners"]`);
    await page.waitForURL(`${site.url}/c/${contest.slug}/winners`);

    // 2. The winners page: tiers in order, public fields only, no TikTok frame until a click.
    expect(await page.locator('.public-winners .tier h2').allInnerTexts()).toEqual(['Giải Nhất', 'Giải Nhì']);
    expect(await page.locator('.winner-title').allInnerTexts()).toEqual(['Ca trực đêm', 'Bữa cơm 0 đồng', 'Chuyến xe cuối']);
    const text = await page.locator('main').innerText();
    expect(text).toContain('Nguyễn Thị Trúc Linh');
    expect(text).toContain('Hà Nội');
    expect(text).not.toContain('Đặng Quốc Việt');
    expect(text).not.toMatch(/@example|\+849/);
    expect(await page.locator('iframe').count()).toBe(0);
    await screenshot(page, `journey5-winners-${name}`);
    await noAxe(page);
    expect(await pageWidth(page)).toBeLessThanOrEqual(viewport.width);
    await page.locator('.play-clip').first().click();
    await page.waitForSelector('iframe.clip');
    expect(tiktok.length).toBeGreaterThan(0);
    expect(tiktok[0]).toContain(entries[0]!.video_id!);

    // 3. The gallery, from the contest page: every accepted entry, never the refused one.
    await page.goto(`${site.url}/c/${contest.slug}`);
    await page.click(`a[href="/c/${contest.slug}/gallery"]`);
    await page.waitForURL(`${site.url}/c/${contest.slug}/gallery`);
    const titles = await page.locator('.gallery-card h2').allInnerTexts();
    expect([...titles].sort()).toEqual(people.map((p) => p[1]).sort());
    expect(titles).not.toContain(refused.title);
    await screenshot(page, `journey5-gallery-${name}`);
    await noAxe(page);
    expect(await pageWidth(page)).toBeLessThanOrEqual(viewport.width);

    // Search without diacritics, then a category.
    await page.fill('input[name=q]', 'bua com');
    await page.click('form.filters button[type=submit]');
    await page.waitForURL(/q=bua/);
    expect(await page.locator('.gallery-card h2').allInnerTexts()).toEqual(['Bữa cơm 0 đồng']);
    await page.goto(`${site.url}/c/${contest.slug}/gallery`);
    await page.selectOption('select[name=category]', String(frontline.id));
    await page.click('form.filters button[type=submit]');
    await page.waitForURL(/category=/);
    expect([...(await page.locator('.gallery-card h2').allInnerTexts())].sort()).toEqual(['Ca trực đêm', 'Chuyến xe cuối']);
    await screenshot(page, `journey5-gallery-category-${name}`);

    // 4. One entry's own page, its clip loaded on request.
    await page.click('.gallery-card h2 a >> text=Chuyến xe cuối');
    await page.waitForURL(`**/c/${contest.slug}/gallery/${entries[2]!.code}`);
    expect(await page.textContent('h1')).toBe('Chuyến xe cuối');
    expect(await page.locator('iframe').count()).toBe(0);
    await noAxe(page);
    await page.click('[data-play]');
    await page.waitForSelector('.player-slot iframe');
    await screenshot(page, `journey5-gallery-entry-${name}`);
    // The refused entry has no public page.
    const hidden = await page.goto(`${site.url}/c/${contest.slug}/gallery/${refused.code}`);
    expect(hidden?.status()).toBe(404);

    expect(problems).toEqual([]);
    await context.close();
  });
});
