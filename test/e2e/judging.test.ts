import { TEST_PASSWORD, createStaff } from '../helpers/factories';
import { createEntry } from '../helpers/factories/contests';
import { createJudgingRound } from '../helpers/factories/judging';
import { testDb } from '../helpers/db';
import { DESKTOP, PHONE, describeBrowser, screenshot, signIn, useBrowserSite, watchConsole } from '../helpers/browser';
import { rows, withTransaction } from '../../src/db';
import { openRound } from '../../src/judging/service';

const db = testDb();

describeBrowser("a judge's pass through the queue in Chromium, keyboard only", () => {
  const site = useBrowserSite(db);

  test.each([
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ])('sign in, open the queue, score three clips with digits and Enter, autosave survives a reload (%s)', async (name, viewport) => {
    const f = await createJudgingRound(db, { judges: 1, entries: 3 });
    await withTransaction(db.pool, (tx) => openRound(tx, f.roundId, { id: null, label: 'e2e' }));
    const judge = f.judges[0]!;
    const page = await site.newPage({ viewport });
    const problems = watchConsole(page);

    await signIn(page, judge.email, TEST_PASSWORD, { keyboard: true });
    await page.goto(`${site.url}/judging`);
    expect(await page.textContent('.jd-counts')).toBe('Đã gửi 0 · Nháp 0 · Chưa chấm 3 / 3');
    await screenshot(page, `judging-dashboard-${name}`);
    await page.goto(`${site.url}/judging/rounds/${f.roundId}`);
    await page.focus('a.button.primary');
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/entries/${f.entries[0]!.code}`);

    // Entry 1: the first criterion has the focus; digits and Enter all the way.
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).toMatch(/^s-\d+$/);
    expect(await page.textContent('#jd-pos')).toBe('1 / 3');
    for (const d of ['8', '6', '10']) {
      await page.keyboard.type(d);
      await page.keyboard.press('Enter');
    }
    await page.keyboard.type('1');
    expect(await page.textContent('#jd-total')).toBe('60');
    await screenshot(page, `judging-score-filled-${name}`);
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/entries/${f.entries[1]!.code}`);
    expect(await page.textContent('#jd-pos')).toBe('2 / 3');
    expect(await page.textContent('.flash-success')).toContain(`Đã gửi phiếu chấm bài ${f.entries[0]!.code}.`);

    // Entry 2: two scores, then the tab "closes" (reload) before submitting: the autosave kept them.
    await page.keyboard.type('9');
    await page.keyboard.press('Enter');
    await page.keyboard.type('7');
    await page.locator('#jd-status').filter({ hasText: /v\d+/ }).waitFor({ timeout: 5000 });
    await page.reload();
    const values = await page.$$eval('.jd-input', (els) => els.map((e) => (e as unknown as { value: string }).value));
    expect(values).toEqual(['9', '7', '', '']);
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe(`s-${f.criteria[2]}`);
    for (const d of ['5', '5']) {
      await page.keyboard.type(d);
      await page.keyboard.press('Enter');
    }
    await page.waitForURL(`**/entries/${f.entries[2]!.code}`);

    // Entry 3: all tens, the comment, Ctrl+Enter submits; the queue is done.
    for (const d of ['10', '10', '10', '10']) {
      await page.keyboard.type(d);
      if (d) await page.keyboard.press('Tab');
    }
    await page.keyboard.type('Xuất sắc');
    await screenshot(page, `judging-score-last-${name}`);
    await page.keyboard.press('Control+Enter');
    await page.waitForURL(`**/judging/rounds/${f.roundId}?done=1`);
    await screenshot(page, `judging-queue-done-${name}`);

    const sheets = await rows<{ code: string; status: string; comment: string; scores: Record<string, number> }>(
      db.pool,
      `SELECT e.code, s.status, s.comment, (SELECT jsonb_object_agg(c.position, sc.value) FROM scores sc JOIN criteria c ON c.id = sc.criterion_id WHERE sc.scoresheet_id = s.id) AS scores
         FROM scoresheets s JOIN entries e ON e.id = s.entry_id WHERE s.round_id = $1 ORDER BY e.id`,
      [f.roundId],
    );
    expect(sheets).toEqual([
      { code: f.entries[0]!.code, status: 'submitted', comment: '', scores: { 1: 8, 2: 6, 3: 10, 4: 1 } },
      { code: f.entries[1]!.code, status: 'submitted', comment: '', scores: { 1: 9, 2: 7, 3: 5, 4: 5 } },
      { code: f.entries[2]!.code, status: 'submitted', comment: 'Xuất sắc', scores: { 1: 10, 2: 10, 3: 10, 4: 10 } },
    ]);
    await page.goto(`${site.url}/judging`);
    expect(await page.textContent('.jd-counts')).toBe('Đã gửi 3 · Nháp 0 · Chưa chấm 0 / 3');
    expect(problems).toEqual([]);
    await page.close();
  });

  test('the organiser screens: screening, rounds, round set-up and progress', async () => {
    const f = await createJudgingRound(db, { judges: 2, entries: 3 });
    await createEntry(db, f.contest, { status: 'received', link_status: 'to_verify' });
    await withTransaction(db.pool, (tx) => openRound(tx, f.roundId, { id: null, label: 'e2e' }));
    const organiser = await createStaff(db, { role: 'organiser' });
    const page = await site.newPage({ viewport: DESKTOP });
    const problems = watchConsole(page);
    await signIn(page, organiser.email, TEST_PASSWORD);
    for (const [name, url] of [
      ['screening', `/organiser/contests/${f.contest.slug}/screening`],
      ['rounds', `/organiser/contests/${f.contest.slug}/rounds`],
      ['round', `/organiser/rounds/${f.roundId}`],
      ['progress', `/organiser/rounds/${f.roundId}/progress`],
    ] as const) {
      const res = await page.goto(`${site.url}${url}`);
      expect(res?.status()).toBe(200);
      await screenshot(page, `judging-organiser-${name}`);
    }
    expect(await page.textContent('h1')).toContain('Tiến độ chấm');
    expect(problems).toEqual([]);
    await page.close();
  });
});
