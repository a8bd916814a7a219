import request from 'supertest';
import { one, rows } from '../../../src/db';
import { resetDb, testConfig, testDb } from '../../helpers/db';
import { makeApp } from '../../helpers/app';
import { createContest } from '../../helpers/factories';
import { entriesSubmission } from '../../helpers/factories/entries';

/**
 * Migration 060: numbers from a per-contest sequence, the contest's version, and the submit path
 * validating against a copy of the contest read up to two seconds earlier.
 */
const db = testDb();
const app = makeApp(db, testConfig({ RATE_LIMITS: 'false' }));
let prefixN = 0;
const prefix = () => `V${String(++prefixN).padStart(3, '0')}`;
const post = (slug: string, body: Record<string, unknown>) => request(app).post(`/api/v1/contests/${slug}/entries`).send(body);
const version = async (id: number) => (await one<{ version: number }>(db.pool, 'SELECT version FROM contests WHERE id = $1', [id])).version;

beforeAll(() => resetDb(db.pool));
afterAll(() => db.close());

describe('entry numbers', () => {
  it('each contest counts from 1 on its own', async () => {
    const a = await createContest(db, { code_prefix: prefix() });
    const b = await createContest(db, { code_prefix: prefix() });
    const codes = [];
    for (const c of [a, b, a, a, b]) codes.push((await post(c.slug, entriesSubmission())).body.code);
    expect(codes).toEqual([`${a.code_prefix}-00001`, `${b.code_prefix}-00001`, `${a.code_prefix}-00002`, `${a.code_prefix}-00003`, `${b.code_prefix}-00002`]);
    expect((await one<{ n: number }>(db.pool, 'SELECT entry_numbers_issued($1) AS n', [a.id])).n).toBe(3);
  });

  it('numbers past 99,999 keep all their digits', async () => {
    const c = await createContest(db, { code_prefix: prefix() });
    await db.pool.query('SELECT reserve_entry_numbers($1, 99999)', [c.id]);
    expect((await post(c.slug, entriesSubmission())).body.code).toBe(`${c.code_prefix}-100000`);
  });

  it('a deleted contest takes its sequence with it', async () => {
    const c = await createContest(db, { code_prefix: prefix() });
    await db.pool.query('DELETE FROM contests WHERE id = $1', [c.id]);
    expect(await rows(db.pool, `SELECT 1 FROM pg_class WHERE relkind = 'S' AND relname = $1`, [`entry_numbers_${c.id}`])).toEqual([]);
  });
});

describe("the contest's version", () => {
  it('goes up with each change to the contest row and to its categories', async () => {
    const c = await createContest(db, { code_prefix: prefix() });
    const v0 = await version(c.id);
    await db.pool.query("UPDATE contests SET title = 'Đổi tên' WHERE id = $1", [c.id]);
    expect(await version(c.id)).toBe(v0 + 1);
    const cat = await one<{ id: number }>(db.pool, "INSERT INTO categories (contest_id, name, position) VALUES ($1, 'Cộng đồng', 1) RETURNING id", [c.id]);
    expect(await version(c.id)).toBe(v0 + 2);
    await db.pool.query('DELETE FROM categories WHERE id = $1', [cat.id]);
    expect(await version(c.id)).toBe(v0 + 3);
  });
});

describe('submitting against a recently read contest', () => {
  it('a category added a moment after the contest was read is required at once', async () => {
    const c = await createContest(db, { code_prefix: prefix() });
    expect((await post(c.slug, entriesSubmission())).status).toBe(201); // the contest is now read and kept
    const cat = await one<{ id: number }>(db.pool, "INSERT INTO categories (contest_id, name, position) VALUES ($1, 'Tuyến đầu', 1) RETURNING id", [c.id]);
    const without = await post(c.slug, entriesSubmission());
    expect(without.status).toBe(422);
    expect(without.body.errors).toEqual({ category: expect.any(String) });
    const withIt = await post(c.slug, entriesSubmission({ category: String(cat.id) }));
    expect(withIt.status).toBe(201);
    expect((await one<{ category_id: number }>(db.pool, 'SELECT category_id FROM entries WHERE code = $1 AND contest_id = $2', [withIt.body.code, c.id])).category_id).toBe(cat.id);
  });

  it('a contest closed a moment after it was read refuses at once, and a reopened one accepts at once', async () => {
    const c = await createContest(db, { code_prefix: prefix() });
    expect((await post(c.slug, entriesSubmission())).status).toBe(201);
    await db.pool.query("UPDATE contests SET closes_at = now() - interval '1 hour', grace_minutes = 0 WHERE id = $1", [c.id]);
    const late = await post(c.slug, entriesSubmission());
    expect([late.status, late.body.error]).toEqual([403, 'submissions_closed']);
    await db.pool.query("UPDATE contests SET closes_at = now() + interval '1 hour' WHERE id = $1", [c.id]);
    expect((await post(c.slug, entriesSubmission())).status).toBe(201);
    expect((await one<{ n: number }>(db.pool, 'SELECT count(*)::int AS n FROM entries WHERE contest_id = $1', [c.id])).n).toBe(2);
  });

  it('a lowered per-entrant limit applies to the next submission', async () => {
    const c = await createContest(db, { code_prefix: prefix(), max_entries_per_entrant: 3 });
    const me = { email: 'mot.nguoi@example.vn', phone: '0912 000 111' };
    expect((await post(c.slug, entriesSubmission(me))).status).toBe(201);
    await db.pool.query('UPDATE contests SET max_entries_per_entrant = 1 WHERE id = $1', [c.id]);
    const second = await post(c.slug, entriesSubmission(me));
    expect([second.status, second.body.error]).toEqual([409, 'entrant_limit']);
  });
});
