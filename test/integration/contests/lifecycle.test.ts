import type { Express } from 'express';
import { one, rows } from '../../../src/db';
import { SYSTEM_ACTOR } from '../../../src/audit/service';
import { markResultsPublished } from '../../../src/contests/lifecycle';
import { applyContestAction, availableActions } from '../../../src/contests/service';
import { findContestById, type ContestRow } from '../../../src/contests/queries';
import { withTransaction } from '../../../src/db';
import { agentAs, makeApp, postForm } from '../../helpers/app';
import { createContest, createEntry } from '../../helpers/factories';
import { resetDb, testConfig, testDb } from '../../helpers/db';

const db = testDb();
let app: Express;
const actor = { id: null, label: 'test' };
const DAY = 86400_000;

beforeAll(async () => {
  await resetDb(db.pool);
  app = makeApp(db, testConfig());
});
afterAll(() => db.close());

const stateOf = async (id: number) => (await one<{ state: string }>(db.pool, 'SELECT state FROM contests WHERE id = $1', [id])).state;
const refusal = (p: Promise<unknown>) => p.then(() => 'allowed', (e: { code?: string }) => e.code ?? String(e));

describe('each lifecycle transition through the service', () => {
  test('publish: allowed from draft with a window, refused without one, refused when already published', async () => {
    const noWindow = await createContest(db, { state: 'draft', opens_at: null, closes_at: null });
    // The factory's null becomes the default window: clear it explicitly.
    await db.pool.query('UPDATE contests SET opens_at = NULL, closes_at = NULL WHERE id = $1', [noWindow.id]);
    expect(await refusal(applyContestAction(db.pool, noWindow.id, 'publish', actor))).toBe('window_missing');
    expect(await stateOf(noWindow.id)).toBe('draft');

    const c = await createContest(db, { state: 'draft' });
    expect(await applyContestAction(db.pool, c.id, 'publish', actor)).toEqual({ from: 'draft', to: 'published' });
    expect(await stateOf(c.id)).toBe('published');
    expect(await refusal(applyContestAction(db.pool, c.id, 'publish', actor))).toBe('invalid_transition');
    const audit = await rows(db.pool, "SELECT action, before, after, actor_label FROM audit_log WHERE contest_id = $1 ORDER BY id", [c.id]);
    expect(audit).toEqual([{ action: 'contest.state_changed', before: { state: 'draft' }, after: { state: 'published' }, actor_label: 'test' }]);
  });

  test('back to draft: allowed without entries, refused once an entry exists (even a withdrawn one)', async () => {
    const c = await createContest(db);
    expect(await applyContestAction(db.pool, c.id, 'unpublish', actor)).toEqual({ from: 'published', to: 'draft' });
    const d = await createContest(db);
    await createEntry(db, d, { status: 'withdrawn' });
    expect(await refusal(applyContestAction(db.pool, d.id, 'unpublish', actor))).toBe('has_entries');
    expect(await stateOf(d.id)).toBe('published');
    expect(await refusal(applyContestAction(db.pool, c.id, 'unpublish', actor))).toBe('invalid_transition');
  });

  test('start judging: refused while open or scheduled and during the grace period, allowed once closed', async () => {
    const now = Date.now();
    const open = await createContest(db);
    expect(await refusal(applyContestAction(db.pool, open.id, 'start_judging', actor))).toBe('still_open');
    const scheduled = await createContest(db, { opens_at: new Date(now + DAY), closes_at: new Date(now + 2 * DAY) });
    expect(await refusal(applyContestAction(db.pool, scheduled.id, 'start_judging', actor))).toBe('still_open');
    const inGrace = await createContest(db, { opens_at: new Date(now - 2 * DAY), closes_at: new Date(now - 60_000), grace_minutes: 15 });
    expect(await refusal(applyContestAction(db.pool, inGrace.id, 'start_judging', actor))).toBe('still_open');
    const closed = await createContest(db, { opens_at: new Date(now - 2 * DAY), closes_at: new Date(now - DAY) });
    expect(await applyContestAction(db.pool, closed.id, 'start_judging', actor)).toEqual({ from: 'published', to: 'judging' });
    const draft = await createContest(db, { state: 'draft', opens_at: new Date(now - 2 * DAY), closes_at: new Date(now - DAY) });
    expect(await refusal(applyContestAction(db.pool, draft.id, 'start_judging', actor))).toBe('invalid_transition');
  });

  test('archive: refused before results are published, allowed after', async () => {
    const now = Date.now();
    const c = await createContest(db, { opens_at: new Date(now - 3 * DAY), closes_at: new Date(now - 2 * DAY) });
    expect(await refusal(applyContestAction(db.pool, c.id, 'archive', actor))).toBe('invalid_transition');
    await applyContestAction(db.pool, c.id, 'start_judging', actor);
    expect(await refusal(applyContestAction(db.pool, c.id, 'archive', actor))).toBe('invalid_transition');
    await withTransaction(db.pool, (tx) => markResultsPublished(tx, c.id, SYSTEM_ACTOR));
    expect(await applyContestAction(db.pool, c.id, 'archive', actor)).toEqual({ from: 'results_published', to: 'archived' });
    expect(await stateOf(c.id)).toBe('archived');
    const trail = await rows<{ after: { state: string } }>(db.pool, "SELECT after FROM audit_log WHERE contest_id = $1 AND action = 'contest.state_changed' ORDER BY id", [c.id]);
    expect(trail.map((t) => t.after.state)).toEqual(['judging', 'results_published', 'archived']);
  });

  test('the buttons offered follow the same rules', async () => {
    const now = new Date();
    const base = (await findContestById(db.pool, (await createContest(db)).id)) as ContestRow;
    expect(availableActions({ ...base, state: 'draft' }, 0, now)).toEqual(['publish']);
    expect(availableActions(base, 0, now)).toEqual(['unpublish']);
    expect(availableActions(base, 3, now)).toEqual([]);
    expect(availableActions({ ...base, closes_at: new Date(now.getTime() - 1000), opens_at: new Date(now.getTime() - DAY) }, 3, now)).toEqual(['start_judging']);
    expect(availableActions({ ...base, state: 'judging' }, 3, now)).toEqual([]);
    expect(availableActions({ ...base, state: 'results_published' }, 3, now)).toEqual(['archive']);
  });
});

describe('lifecycle through the organiser buttons', () => {
  test('publish from the edit page, with the refusal shown as a message', async () => {
    const { agent, user } = await agentAs(app, db, 'organiser');
    const c = await createContest(db, { state: 'draft' });
    const edit = `/organiser/contests/${c.id}/edit`;
    const page = await agent.get(edit);
    expect(page.text).toContain('data-confirm="Công bố cuộc thi?');
    const res = await postForm(agent, `/organiser/contests/${c.id}/state`, { action: 'publish' }, edit);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(edit);
    expect((await agent.get(edit)).text).toContain('Cuộc thi đã chuyển sang trạng thái “Đã công bố”.');
    expect(await stateOf(c.id)).toBe('published');
    const audit = await one<{ actor_id: number }>(db.pool, "SELECT actor_id FROM audit_log WHERE contest_id = $1 AND action = 'contest.state_changed'", [c.id]);
    expect(audit.actor_id).toBe(user.id);

    const again = await postForm(agent, `/organiser/contests/${c.id}/state`, { action: 'archive' }, edit);
    expect(again.status).toBe(303);
    expect((await agent.get(edit)).text).toContain('Không thể chuyển từ “Đã công bố” sang “Đã lưu trữ”.');
    expect(await stateOf(c.id)).toBe('published');

    const bogus = await postForm(agent, `/organiser/contests/${c.id}/state`, { action: 'delete' }, edit);
    expect(bogus.status).toBe(422);
  });
});
