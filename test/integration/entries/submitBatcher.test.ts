import { Pool } from 'pg';
import request from 'supertest';
import { DbUnavailableError, ForeignKeyViolation, one } from '../../../src/db';
import { SubmitBatcher, submitBatcherFor } from '../../../src/entries/submitBatcher';
import { resetDb, testConfig, testDb } from '../../helpers/db';
import { makeApp } from '../../helpers/app';
import { createContest } from '../../helpers/factories';
import { entriesSubmission, entriesVideoId } from '../../helpers/factories/entries';

const db = testDb();
const app = makeApp(db, testConfig({ RATE_LIMITS: 'false' }));

beforeAll(() => resetDb(db.pool));
afterAll(() => db.close());

const post = (slug: string, body: Record<string, unknown>) => request(app).post(`/api/v1/contests/${slug}/entries`).send(body);
const count = async (sql: string, params: unknown[] = []) => (await one<{ n: number }>(db.pool, sql, params)).n;

/** What entries_submit() takes, as src/entries/service.ts builds it, for the batcher alone. */
function payload(contestId: number, n: number, o: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    contest_id: contestId,
    contest_version: null,
    lock_keys: [`entrant:${contestId}:batch${n}@example.vn`],
    idempotency_key: null,
    video_id: entriesVideoId(),
    email: `batch${n}@example.vn`,
    phone: null,
    max_entries: 3,
    full_name: `Người gửi ${n}`,
    display_name: `Người gửi ${n}`,
    category_id: null,
    title: `Clip ${n}`,
    description: '',
    tiktok_url_input: `https://www.tiktok.com/@b/video/${n}`,
    canonical_url: `https://www.tiktok.com/@b/video/${n}`,
    link_status: 'ok',
    posted_at: null,
    posted_early: false,
    hashtag_status: 'unchecked',
    hashtag_confirmed: true,
    consent_at: new Date().toISOString(),
    access_salt: `salt${n}`,
    mail: null,
    placeholder: '{{ENTRY_CODE}}',
    ...o,
  };
}

describe('submissions that arrive together share a transaction (entries_submit_batch)', () => {
  it('40 at once: every one answered 201 with its own code, 1 to 40, in fewer database calls than submissions', async () => {
    const c = await createContest(db, { code_prefix: 'BAT' });
    const stats = submitBatcherFor(db.pool).stats;
    const before = { ...stats };
    const answers = await Promise.all(Array.from({ length: 40 }, () => post(c.slug, entriesSubmission())));
    expect(answers.map((a) => a.status)).toEqual(Array(40).fill(201));
    const codes = answers.map((a) => a.body.code as string).sort();
    expect(codes).toEqual(Array.from({ length: 40 }, (_, i) => `BAT-${String(i + 1).padStart(5, '0')}`));
    expect(await count('SELECT count(*)::int AS n FROM entries WHERE contest_id = $1', [c.id])).toBe(40);
    expect(await count('SELECT count(*)::int AS n FROM outbox WHERE contest_id = $1', [c.id])).toBe(40);
    expect(stats.items - before.items).toBe(40);
    expect(stats.calls - before.calls).toBeLessThan(40);
    expect(stats.retriedAlone - before.retriedAlone).toBe(0);
  });

  it('one clip sent by ten entrants at once: one entry, nine 409 duplicate_clip, no entrant row for the refused', async () => {
    const c = await createContest(db, { code_prefix: 'BAD' });
    const videoId = entriesVideoId();
    const answers = await Promise.all(Array.from({ length: 10 }, () => post(c.slug, entriesSubmission({ videoId }))));
    expect(answers.map((a) => a.status).sort()).toEqual([201, ...Array(9).fill(409)]);
    expect(answers.filter((a) => a.status === 409).map((a) => a.body.error)).toEqual(Array(9).fill('duplicate_clip'));
    expect(await count('SELECT count(*)::int AS n FROM entries WHERE contest_id = $1', [c.id])).toBe(1);
    expect(await count('SELECT count(*)::int AS n FROM entrants WHERE contest_id = $1', [c.id])).toBe(1);
  });

  it("an item the database refuses rolls its batch back; the others are sent again alone and kept, and it gets its own error", async () => {
    const c = await createContest(db, { code_prefix: 'BAE' });
    const batcher = new SubmitBatcher(db.pool);
    // The first two go at once (two calls may run); the next three wait and go together.
    const sent = [1, 2, 3, 4, 5].map((n) => batcher.submit(payload(c.id, n, n === 4 ? { category_id: 999_999 } : {})));
    const settled = await Promise.allSettled(sent);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((settled[3] as PromiseRejectedResult).reason).toBeInstanceOf(ForeignKeyViolation);
    expect(settled.filter((s) => s.status === 'fulfilled').map((s) => (s as PromiseFulfilledResult<{ result: string }>).value.result)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(batcher.stats).toEqual({ calls: 3, items: 5, retriedAlone: 3 });
    expect(await count('SELECT count(*)::int AS n FROM entries WHERE contest_id = $1', [c.id])).toBe(4);
    expect(await count('SELECT count(*)::int AS n FROM entrants WHERE contest_id = $1', [c.id])).toBe(4);
  });

  it('a batch whose connection fails is not sent again (it may have committed): each submission gets the error', async () => {
    const dead = new Pool({ host: '127.0.0.1', port: 1, user: 'postgres', connectionTimeoutMillis: 2000 });
    dead.on('error', () => undefined);
    const batcher = new SubmitBatcher(dead);
    const settled = await Promise.allSettled([1, 2, 3, 4].map((n) => batcher.submit(payload(1, n))));
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected']);
    for (const s of settled) expect((s as PromiseRejectedResult).reason).toBeInstanceOf(DbUnavailableError);
    expect(batcher.stats).toEqual({ calls: 3, items: 4, retriedAlone: 0 });
    await dead.end();
  });

  it('the same entrant at their limit across one batch: the items past it are refused, in order', async () => {
    const c = await createContest(db, { code_prefix: 'BAL', max_entries_per_entrant: 2 });
    const batcher = new SubmitBatcher(db.pool);
    const same = { email: 'same@example.vn', lock_keys: [`entrant:${c.id}:same@example.vn`], max_entries: 2 };
    const answers = await Promise.all([1, 2, 3, 4, 5].map((n) => batcher.submit(payload(c.id, n, same))));
    expect(answers.map((a) => a.result)).toEqual(['ok', 'ok', 'entrant_limit', 'entrant_limit', 'entrant_limit']);
    expect(batcher.stats.calls).toBe(3);
    expect(await count('SELECT count(*)::int AS n FROM entries WHERE contest_id = $1', [c.id])).toBe(2);
  });
});
