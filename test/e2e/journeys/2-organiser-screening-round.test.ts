import type { Page } from 'playwright-core';
import { one, rows } from '../../../src/db';
import { createContest, createEntry, createStaff, TEST_PASSWORD } from '../../helpers/factories';
import { testDb } from '../../helpers/db';
import { DESKTOP, PHONE, axeViolations, describeBrowser, screenshot, signIn, useBrowserSite, watchConsole } from '../../helpers/browser';

const db = testDb();

/** Journey 2: the organiser screens the entries in bulk and sets up the first scoring round. */
describeBrowser('journey 2: an organiser screens entries in bulk, sets up a scoring round and opens it', () => {
  const site = useBrowserSite(db);

  const noAxe = async (page: Page) => expect(await axeViolations(page)).toEqual([]);
  const pageWidth = (page: Page) => page.evaluate('document.documentElement.scrollWidth');

  test.each([
    ['phone', PHONE, 'J2P'],
    ['desktop', DESKTOP, 'J2D'],
  ])('screening: two broken links refused with a reason, the rest accepted in one go; a round with criteria and a panel, opened (%s)', async (name, viewport, prefix) => {
    // Submissions closed yesterday: six entries received, two of them with a link still to verify.
    const contest = await createContest(db, { slug: `so-khao-${name}`, title: `Thời khắc khó quên ${name}`, code_prefix: prefix, state: 'judging', opens_at: new Date(Date.now() - 20 * 86400_000), closes_at: new Date(Date.now() - 86400_000) });
    const entries = [];
    for (let i = 0; i < 6; i++) {
      entries.push(await createEntry(db, contest, { status: 'received', title: `Khoảnh khắc ${i + 1}`, link_status: i < 2 ? 'to_verify' : 'ok', video_id: i < 2 ? null : undefined }));
    }
    const judges = [
      await createStaff(db, { role: 'judge', name: `Giám khảo Hạnh ${name}` }),
      await createStaff(db, { role: 'judge', name: `Giám khảo Tuấn ${name}` }),
      await createStaff(db, { role: 'judge', name: `Giám khảo Lan ${name}` }),
    ];
    const organiser = await createStaff(db, { role: 'organiser', name: 'Ban Tổ Chức' });

    const context = await site.newContext({ viewport });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const problems = watchConsole(page);
    const confirms: string[] = [];
    page.on('dialog', (d) => {
      confirms.push(d.message());
      void d.accept();
    });
    await signIn(page, organiser.email, TEST_PASSWORD);

    // 1. Screening: the default refusal reasons, then the entries whose link could not be checked.
    await page.goto(`${site.url}/organiser/contests/${contest.slug}/screening`);
    expect(await page.locator('#screening-form tbody tr').count()).toBe(6);
    await noAxe(page);
    await page.click('input[name=defaults] ~ button[type=submit]');
    await page.waitForSelector('.flash-success');
    const reasons = await page.$$eval('#sd-reason option', (os) => os.map((o) => (o as unknown as { textContent: string }).textContent));
    expect(reasons.length).toBeGreaterThan(1);
    await page.selectOption('#sf-link', 'to_verify');
    await page.click('form.jd-filters button[type=submit]');
    await page.waitForURL(/link=to_verify/);
    expect(await page.locator('#screening-form tbody tr').count()).toBe(2);
    await page.check(`input[name=ids][aria-label="${entries[0]!.code}"]`);
    await page.check(`input[name=ids][aria-label="${entries[1]!.code}"]`);
    await page.check('input[name=decision][value=not_eligible]');
    await page.selectOption('#sd-reason', { index: 1 });
    await page.fill('#sd-note', 'Liên kết không mở được');
    await screenshot(page, `journey2-screening-selected-${name}`);
    await page.click('button[name=scope][value=selected]');
    await page.waitForSelector('.flash-success');
    expect(await page.textContent('.flash-success')).toContain('Đã cập nhật 2 bài, bỏ qua 0 bài.');

    // 2. Every entry still "received" becomes eligible at once (after a confirmation naming the count).
    await page.goto(`${site.url}/organiser/contests/${contest.slug}/screening?status=received`);
    expect(await page.locator('#screening-form tbody tr').count()).toBe(4);
    await page.click('button[name=scope][value=filtered]');
    await page.waitForSelector('.flash-success');
    expect(await page.textContent('.flash-success')).toContain('Đã cập nhật 4 bài, bỏ qua 0 bài.');
    expect(confirms).toHaveLength(1);
    expect(confirms[0]).toContain('4');
    await screenshot(page, `journey2-screening-done-${name}`);
    const statuses = await rows<{ code: string; status: string; note: string | null }>(
      db.pool,
      'SELECT code, status, screening_note AS note FROM entries WHERE contest_id = $1 ORDER BY seq',
      [contest.id],
    );
    expect(statuses.map((s) => s.status)).toEqual(['not_eligible', 'not_eligible', 'eligible', 'eligible', 'eligible', 'eligible']);
    expect(statuses[0]!.note).toBe('Liên kết không mở được');

    // 3. A scoring round over every eligible entry, blind, each judge scoring all.
    await page.goto(`${site.url}/organiser/contests/${contest.slug}/rounds`);
    await noAxe(page);
    await page.fill('#f-name', 'Sơ khảo');
    await page.selectOption('#f-kind', 'scoring');
    await page.selectOption('#f-entrySource', 'all_eligible');
    await page.check('input[name=blind]');
    await page.selectOption('#f-assignmentMode', 'all');
    await page.click('form[action$="/rounds"] button[type=submit]');
    await page.waitForURL(/\/organiser\/rounds\/\d+$/);
    const roundId = Number(page.url().split('/').pop());
    expect(await page.textContent('.flash-success')).toContain('Đã tạo vòng chấm.');

    // 4. Two criteria, then the panel of two judges.
    for (const [crit, weight] of [['Ý tưởng', '60'], ['Cảm xúc', '40']] as const) {
      await page.fill('#f-name', crit);
      await page.fill('#f-weight', weight);
      await page.fill('#f-scaleMin', '1');
      await page.fill('#f-scaleMax', '10');
      await page.fill('#f-step', '1');
      await page.click('form[action$="/criteria"] button[type=submit]');
      await page.waitForSelector('.flash-success');
    }
    for (const j of judges.slice(0, 2)) {
      await page.selectOption('#pj', String(j.id));
      await page.click('form[action$="/judges"] button[type=submit]');
      await page.waitForSelector('.flash-success');
    }
    expect(await page.locator('.card', { hasText: 'Ý tưởng' }).locator('tbody tr').count()).toBe(2);
    await screenshot(page, `journey2-round-draft-${name}`);
    await noAxe(page);
    expect(await pageWidth(page)).toBeLessThanOrEqual(viewport.width);

    // 5. Open it (confirmed): each of the four eligible entries goes to both judges.
    await page.click(`form[action="/organiser/rounds/${roundId}/open"] button[type=submit]`);
    await page.waitForSelector('.flash-success');
    expect(await page.textContent('.flash-success')).toContain('Đã mở vòng: 4 bài, 8 lượt phân công.');
    expect(confirms).toHaveLength(2);
    await screenshot(page, `journey2-round-open-${name}`);
    await noAxe(page);
    const round = await one<{ state: string; blind: boolean; criteria: number; judges: number; assignments: number }>(
      db.pool,
      `SELECT state, blind, (SELECT count(*)::int FROM criteria WHERE round_id = r.id) AS criteria,
              (SELECT count(*)::int FROM round_judges WHERE round_id = r.id) AS judges,
              (SELECT count(*)::int FROM assignments WHERE round_id = r.id) AS assignments
         FROM rounds r WHERE id = $1`,
      [roundId],
    );
    expect(round).toEqual({ state: 'open', blind: true, criteria: 2, judges: 2, assignments: 8 });
    const assigned = await rows<{ judge_id: number }>(db.pool, 'SELECT DISTINCT judge_id FROM assignments WHERE round_id = $1 ORDER BY judge_id', [roundId]);
    expect(assigned.map((a) => a.judge_id)).toEqual([judges[0]!.id, judges[1]!.id]);

    // The progress page shows both judges at 0 of 4.
    await page.click(`a[href="/organiser/rounds/${roundId}/progress"]`);
    await page.waitForURL(`**/organiser/rounds/${roundId}/progress`);
    await screenshot(page, `journey2-progress-${name}`);
    await noAxe(page);
    expect(await pageWidth(page)).toBeLessThanOrEqual(viewport.width);
    expect(problems).toEqual([]);
    await context.close();
  });
});
