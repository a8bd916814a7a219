import type { Page } from 'playwright-core';
import { rows, withTransaction } from '../../../src/db';
import { openRound } from '../../../src/judging/service';
import { TEST_PASSWORD } from '../../helpers/factories';
import { createJudgingRound } from '../../helpers/factories/judging';
import { testDb } from '../../helpers/db';
import { DESKTOP, PHONE, axeViolations, describeBrowser, screenshot, signIn, useBrowserSite, watchConsole } from '../../helpers/browser';

const db = testDb();

interface Sheet {
  code: string;
  status: string;
  scores: Record<string, number> | null;
}

/** Journey 3: a judge works through the queue without a mouse, closes the tab mid-scoresheet, comes back. */
describeBrowser('journey 3: a judge scores a queue with the keyboard only and loses nothing when the tab closes', () => {
  const site = useBrowserSite(db);

  const noAxe = async (page: Page) => expect(await axeViolations(page)).toEqual([]);
  const activeId = (page: Page) => page.evaluate('document.activeElement && document.activeElement.id');
  const sheets = (roundId: number) =>
    rows<Sheet>(
      db.pool,
      `SELECT e.code, s.status,
              (SELECT jsonb_object_agg(c.position, sc.value) FROM scores sc JOIN criteria c ON c.id = sc.criterion_id WHERE sc.scoresheet_id = s.id) AS scores
         FROM scoresheets s JOIN entries e ON e.id = s.entry_id WHERE s.round_id = $1 ORDER BY e.id`,
      [roundId],
    );

  test.each([
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ])('sign in, score with digits and Enter, close the tab mid-sheet, come back to the saved draft, finish the queue (%s)', async (name, viewport) => {
    const f = await createJudgingRound(db, { judges: 2, entries: 3 });
    await withTransaction(db.pool, (tx) => openRound(tx, f.roundId, { id: null, label: 'journey 3' }));
    const judge = f.judges[0]!;
    const [e1, e2, e3] = f.entries as [(typeof f.entries)[0], (typeof f.entries)[0], (typeof f.entries)[0]];
    const context = await site.newContext({ viewport });
    context.setDefaultTimeout(8000);
    let page = await context.newPage();
    const problems = watchConsole(page);

    // Sign in with the keyboard.
    await page.goto(`${site.url}/login`);
    await noAxe(page);
    await signIn(page, judge.email, TEST_PASSWORD, { keyboard: true });
    await page.goto(`${site.url}/judging`);
    expect(await page.textContent('.jd-counts')).toBe('Đã gửi 0 · Nháp 0 · Chưa chấm 3 / 3');
    await screenshot(page, `journey3-dashboard-${name}`);
    await noAxe(page);

    // Into the round and its first clip, by Tab and Enter only.
    await page.focus(`a[href="/judging/rounds/${f.roundId}"]`);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${site.url}/judging/rounds/${f.roundId}`);
    await screenshot(page, `journey3-queue-${name}`);
    await noAxe(page);
    await page.focus('a.button.primary');
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/entries/${e1.code}`);
    expect(await activeId(page)).toBe(`s-${f.criteria[0]}`);
    expect(await page.textContent('#jd-pos')).toBe('1 / 3');
    await noAxe(page);

    // Clip 1: four digits, each confirmed with Enter; the last Enter submits and opens clip 2.
    for (const d of ['8', '6', '10', '7']) {
      await page.keyboard.type(d);
      await page.keyboard.press('Enter');
    }
    await page.waitForURL(`**/entries/${e2.code}`);
    expect(await page.textContent('.flash-success')).toContain(`Đã gửi phiếu chấm bài ${e1.code}.`);
    expect(await page.textContent('#jd-pos')).toBe('2 / 3');

    // Clip 2: two scores autosaved, then a third typed and the tab closed at once (no wait for the timer).
    await page.keyboard.type('9');
    await page.keyboard.press('Enter');
    await page.keyboard.type('7');
    await page.locator('#jd-status').filter({ hasText: /v\d+/ }).waitFor({ timeout: 5000 });
    await screenshot(page, `journey3-mid-sheet-${name}`);
    await page.keyboard.press('Enter');
    await page.keyboard.type('4');
    await page.close({ runBeforeUnload: true });
    // The keepalive save sent on pagehide lands shortly after the tab is gone.
    const deadline = Date.now() + 5000;
    let draft: Sheet | undefined;
    while (Date.now() < deadline) {
      draft = (await sheets(f.roundId)).find((s) => s.code === e2.code);
      if (draft?.scores?.['3'] === 4) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(draft).toEqual({ code: e2.code, status: 'draft', scores: { 1: 9, 2: 7, 3: 4 } });

    // Back later in a new tab: the dashboard counts the draft, the queue resumes at clip 2 with its values.
    page = await context.newPage();
    problems.push(...watchConsole(page));
    await page.goto(`${site.url}/judging`);
    expect(await page.textContent('.jd-counts')).toBe('Đã gửi 1 · Nháp 1 · Chưa chấm 1 / 3');
    await page.goto(`${site.url}/judging/rounds/${f.roundId}`);
    // "Next" leads to the untouched clip 3; the draft is found in the queue's list, marked as such.
    expect(await page.getAttribute('a.button.primary', 'href')).toBe(`/judging/rounds/${f.roundId}/entries/${e3.code}`);
    const draftRow = page.locator('tbody tr', { hasText: e2.code });
    expect(await draftRow.innerText()).toContain('Nháp');
    await screenshot(page, `journey3-queue-draft-${name}`);
    await draftRow.locator('a').first().focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/entries/${e2.code}`);
    const values = await page.$$eval('.jd-input', (els) => els.map((e) => (e as unknown as { value: string }).value));
    expect(values).toEqual(['9', '7', '4', '']);
    expect(await activeId(page)).toBe(`s-${f.criteria[3]}`);
    await screenshot(page, `journey3-resumed-${name}`);
    await noAxe(page);
    await page.keyboard.type('6');
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/entries/${e3.code}`);

    // Clip 3: Tab between fields, a comment, Ctrl+Enter submits; the queue is done.
    for (const d of ['10', '9', '8', '7']) {
      await page.keyboard.type(d);
      await page.keyboard.press('Tab');
    }
    await page.keyboard.type('Rất xúc động');
    await page.keyboard.press('Control+Enter');
    await page.waitForURL(`**/judging/rounds/${f.roundId}?done=1`);
    await screenshot(page, `journey3-done-${name}`);
    await noAxe(page);

    expect(await sheets(f.roundId)).toEqual([
      { code: e1.code, status: 'submitted', scores: { 1: 8, 2: 6, 3: 10, 4: 7 } },
      { code: e2.code, status: 'submitted', scores: { 1: 9, 2: 7, 3: 4, 4: 6 } },
      { code: e3.code, status: 'submitted', scores: { 1: 10, 2: 9, 3: 8, 4: 7 } },
    ]);
    await page.goto(`${site.url}/judging`);
    expect(await page.textContent('.jd-counts')).toBe('Đã gửi 3 · Nháp 0 · Chưa chấm 0 / 3');
    expect(problems).toEqual([]);
    await context.close();
  });
});
