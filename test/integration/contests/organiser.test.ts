import type { Express } from 'express';
import request from 'supertest';
import { one, rows } from '../../../src/db';
import { agentAs, makeApp, postForm } from '../../helpers/app';
import { createContest, createEntry } from '../../helpers/factories';
import { contestFormBody } from '../../helpers/factories/contestSetup';
import { resetDb, testConfig, testDb } from '../../helpers/db';

const db = testDb();
let app: Express;

beforeAll(async () => {
  await resetDb(db.pool);
  app = makeApp(db, testConfig());
});
afterAll(() => db.close());

const NEW = '/organiser/contests/new';

describe('creating a contest through the organiser form', () => {
  test('a valid form creates a draft: slug folded, local times stored as instants, rows, audit', async () => {
    const { agent, user } = await agentAs(app, db, 'organiser');
    const res = await postForm(agent, '/organiser/contests', contestFormBody(), NEW);
    expect(res.status).toBe(303);
    const c = await one<Record<string, unknown> & { id: number }>(
      db.pool,
      `SELECT id, slug::text AS slug, state, code_prefix, hashtags, opens_at, closes_at, ceremony_at, entrant_fields, public_fields, upload_mode, created_by
         FROM contests WHERE title = 'Thời khắc khó quên'`,
    );
    expect(res.headers.location).toBe(`/organiser/contests/${c.id}/edit`);
    expect(c).toMatchObject({ slug: 'thoi-khac-kho-quen', state: 'draft', code_prefix: 'TKKQ', hashtags: ['ThoiKhacKhoQuen'], upload_mode: 'optional', created_by: user.id });
    // 23:59 in Asia/Ho_Chi_Minh (UTC+7) is 16:59 UTC.
    expect((c.closes_at as Date).toISOString()).toBe('2021-09-30T16:59:00.000Z');
    expect((c.opens_at as Date).toISOString()).toBe('2021-08-31T17:00:00.000Z');
    expect((c.ceremony_at as Date).toISOString()).toBe('2021-11-19T02:00:00.000Z');
    expect(c.entrant_fields).toEqual({ dateOfBirth: 'off', organisation: 'off', occupation: 'off', province: 'required', address: 'off', nationalId: 'off', tiktokHandle: 'optional' });
    expect(c.public_fields).toEqual(['displayName', 'province']);

    const cats = await rows(db.pool, 'SELECT name, position FROM categories WHERE contest_id = $1 ORDER BY position', [c.id]);
    expect(cats).toEqual([{ name: 'Lực lượng tuyến đầu', position: 1 }, { name: 'Cộng đồng', position: 2 }]);
    const prizes = await rows(
      db.pool,
      `SELECT p.name, p.count, p.position, c.name AS category, p.decided_by FROM prize_tiers p LEFT JOIN categories c ON c.id = p.category_id
        WHERE p.contest_id = $1 ORDER BY p.position`,
      [c.id],
    );
    expect(prizes).toEqual([
      { name: 'Giải Nhất', count: 1, position: 1, category: null, decided_by: 'judges' },
      { name: 'Giải Nhì', count: 2, position: 2, category: 'Cộng đồng', decided_by: 'judges' },
      { name: 'Giải bình chọn', count: 1, position: 3, category: null, decided_by: 'engagement' },
    ]);
    const audit = await rows(db.pool, "SELECT action, actor_id FROM audit_log WHERE contest_id = $1 ORDER BY id", [c.id]);
    expect(audit).toEqual([{ action: 'contest.created', actor_id: user.id }]);

    // The edit form shows the local times back as typed.
    const edit = await agent.get(`/organiser/contests/${c.id}/edit`);
    expect(edit.status).toBe(200);
    expect(edit.text).toContain('value="2021-09-30T23:59"');
    expect(edit.text).toContain('value="Giải bình chọn"');
    // The organiser's way to the other features' pages for this contest.
    expect(edit.text).toContain('href="/organiser/contests/thoi-khac-kho-quen/entries"');
    expect(edit.text).toContain('href="/organiser/contests/thoi-khac-kho-quen/rounds"');
    const manage = await agent.get('/manage');
    expect(manage.status).toBe(303);
    expect(manage.headers.location).toBe('/organiser/contests');
    expect((await agent.get('/organiser/contests')).text).toContain(`href="/organiser/contests/${c.id}/edit"`);
  });

  test('closing before opening is refused; the form comes back with what was typed and the message in place', async () => {
    const { agent } = await agentAs(app, db, 'organiser');
    const res = await postForm(agent, '/organiser/contests', contestFormBody({ title: 'Tết sum vầy 2023', opens_local: '2023-01-10T08:00', closes_local: '2023-01-05T08:00' }), NEW);
    expect(res.status).toBe(422);
    expect(res.text).toContain('value="Tết sum vầy 2023"');
    expect(res.text).toContain('value="2023-01-05T08:00"');
    expect(res.text).toMatch(/id="f-closes_local-err">Hạn chót phải sau thời điểm bắt đầu nhận bài\.</);
    expect(res.text).toContain('value="Lực lượng tuyến đầu"');
    expect((await one<{ n: number }>(db.pool, "SELECT count(*)::int AS n FROM contests WHERE title = 'Tết sum vầy 2023'")).n).toBe(0);
  });

  test('a prize count of 0 and an unnamed prize get their own messages on their rows', async () => {
    const { agent } = await agentAs(app, db, 'organiser');
    const res = await postForm(
      agent,
      '/organiser/contests',
      contestFormBody({ title: 'Giải sai', prize_id: ['', ''], prize_name: ['Giải Nhất', ''], prize_count: ['0', '3'], prize_category: ['', ''], prize_decided_by: ['judges', 'judges'] }),
      NEW,
    );
    expect(res.status).toBe(422);
    expect(res.text).toContain('Số lượng giải phải từ 1 đến 1000.');
    expect(res.text).toContain('Trường này là bắt buộc.');
    expect(res.text).toMatch(/id="prize-count-0" name="prize_count" value="0"/);
  });

  test('a slug taken by another contest is refused on the slug field', async () => {
    await createContest(db, { slug: 'tet-sum-vay' });
    const { agent } = await agentAs(app, db, 'organiser');
    const res = await postForm(agent, '/organiser/contests', contestFormBody({ title: 'Tết sum vầy' }), NEW);
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/id="f-slug-err">Đường dẫn này đã được cuộc thi khác dùng\.</);
    expect(res.text).toContain('value="Tết sum vầy"');
  });

  test('bad time zone, hashtag and prefix are each reported', async () => {
    const { agent } = await agentAs(app, db, 'organiser');
    const res = await postForm(agent, '/organiser/contests', contestFormBody({ title: 'Sai', time_zone: 'Mars/Olympus', hashtags: '#bad-tag!', code_prefix: 'T' }), NEW);
    expect(res.status).toBe(422);
    expect(res.text).toContain('Tiền tố gồm 2–10 chữ in hoa hoặc số.');
    // Field errors of the base schema come first; fix the prefix to see the cross-field ones.
    const res2 = await postForm(agent, '/organiser/contests', contestFormBody({ title: 'Sai', time_zone: 'Mars/Olympus', hashtags: '#bad-tag!' }), NEW);
    expect(res2.text).toContain('Múi giờ không hợp lệ');
    expect(res2.text).toContain('Hashtag chỉ gồm chữ, số và dấu gạch dưới.');
  });

  test('a judge cannot open or post the organiser pages; anonymous is sent to login', async () => {
    const c = await createContest(db);
    const { agent } = await agentAs(app, db, 'judge');
    expect((await agent.get('/organiser/contests')).status).toBe(403);
    expect((await agent.get('/manage')).status).toBe(403);
    expect((await agent.get(NEW)).status).toBe(403);
    expect((await agent.get(`/organiser/contests/${c.id}/edit`)).status).toBe(403);
    const post = await postForm(agent, `/organiser/contests/${c.id}`, contestFormBody({ title: 'Hacked' }), '/staff');
    expect(post.status).toBe(403);
    const state = await postForm(agent, `/organiser/contests/${c.id}/state`, { action: 'start_judging' }, '/staff');
    expect(state.status).toBe(403);
    expect((await one<{ title: string; state: string }>(db.pool, 'SELECT title, state FROM contests WHERE id = $1', [c.id]))).toEqual({ title: c.title, state: 'published' });
    const anon = await request(app).get('/organiser/contests');
    expect(anon.status).toBe(303);
    expect(anon.headers.location).toBe('/login');
  });
});

describe('editing', () => {
  test('moving the window of a contest with entries asks for confirmation, then is audited', async () => {
    const { agent, user } = await agentAs(app, db, 'organiser');
    const c = await createContest(db, { slug: 'co-bai', opens_at: new Date('2026-11-01T00:00:00Z'), closes_at: new Date('2026-12-31T16:59:00Z') });
    await createEntry(db, c);
    const body = contestFormBody({ title: c.title, slug: 'co-bai', code_prefix: c.code_prefix, opens_local: '2026-11-01T07:00', closes_local: '2027-01-15T23:59', ceremony_local: '' });
    const first = await postForm(agent, `/organiser/contests/${c.id}`, body, `/organiser/contests/${c.id}/edit`);
    expect(first.status).toBe(409);
    expect(first.text).toContain('Cuộc thi đã có 1 bài dự thi.');
    expect(first.text).toContain('name="confirm_window_change"');
    expect(first.text).toContain('value="2027-01-15T23:59"');
    expect((await one<{ closes_at: Date }>(db.pool, 'SELECT closes_at FROM contests WHERE id = $1', [c.id])).closes_at.toISOString()).toBe('2026-12-31T16:59:00.000Z');

    const second = await postForm(agent, `/organiser/contests/${c.id}`, { ...body, confirm_window_change: '1' }, `/organiser/contests/${c.id}/edit`);
    expect(second.status).toBe(303);
    expect((await one<{ closes_at: Date }>(db.pool, 'SELECT closes_at FROM contests WHERE id = $1', [c.id])).closes_at.toISOString()).toBe('2027-01-15T16:59:00.000Z');
    const audit = await one<{ actor_id: number; before: { closes_at: string }; after: { closes_at: string } }>(
      db.pool,
      "SELECT actor_id, before, after FROM audit_log WHERE contest_id = $1 AND action = 'contest.window_changed'",
      [c.id],
    );
    expect(audit).toEqual({ actor_id: user.id, before: expect.objectContaining({ closes_at: '2026-12-31T16:59:00.000Z' }), after: expect.objectContaining({ closes_at: '2027-01-15T16:59:00.000Z' }) });
  });

  test('a contest without entries moves its window without a question; a category with entries cannot be removed', async () => {
    const { agent } = await agentAs(app, db, 'organiser');
    const create = await postForm(agent, '/organiser/contests', contestFormBody({ title: 'Không bài', code_prefix: 'KB' }), NEW);
    const id = Number(/\/organiser\/contests\/(\d+)\/edit/.exec(create.headers.location as string)![1]);
    const moved = await postForm(agent, `/organiser/contests/${id}`, contestFormBody({ title: 'Không bài', code_prefix: 'KB', closes_local: '2021-10-05T23:59', ceremony_local: '' }), NEW);
    expect(moved.status).toBe(303);

    const cat = await one<{ id: number }>(db.pool, "SELECT id FROM categories WHERE contest_id = $1 AND name = 'Cộng đồng'", [id]);
    const contest = await one<{ id: number; code_prefix: string }>(db.pool, 'SELECT id, code_prefix FROM contests WHERE id = $1', [id]);
    await createEntry(db, contest, { category_id: cat.id });
    const cats = await rows<{ id: number; name: string }>(db.pool, 'SELECT id, name FROM categories WHERE contest_id = $1 ORDER BY position', [id]);
    const prizes = await rows<{ id: number }>(db.pool, 'SELECT id FROM prize_tiers WHERE contest_id = $1 ORDER BY position', [id]);
    const without = contestFormBody({
      title: 'Không bài', code_prefix: 'KB', closes_local: '2021-10-05T23:59', ceremony_local: '',
      category_id: [String(cats[0]!.id)], category_name: ['Lực lượng tuyến đầu'], category_description: [''],
      prize_id: prizes.map((p) => String(p.id)), prize_category: ['', '', ''],
    });
    const refused = await postForm(agent, `/organiser/contests/${id}`, without, NEW);
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('Không thể xóa hạng mục đã có bài dự thi hoặc vòng thi: Cộng đồng.');
    expect((await rows(db.pool, 'SELECT name FROM categories WHERE contest_id = $1 ORDER BY position', [id])).map((r) => r.name)).toEqual(['Lực lượng tuyến đầu', 'Cộng đồng']);
    // Changing the code prefix once entries exist is refused too.
    const prefix = await postForm(agent, `/organiser/contests/${id}`, contestFormBody({ title: 'Không bài', code_prefix: 'KX', closes_local: '2021-10-05T23:59', ceremony_local: '', category_id: cats.map((k) => String(k.id)), prize_id: prizes.map((p) => String(p.id)) }), NEW);
    expect(prefix.status).toBe(422);
    expect(prefix.text).toContain('Không thể đổi tiền tố khi đã có bài dự thi.');
  });

  test('renaming rules on a published contest bumps the rules version', async () => {
    const { agent } = await agentAs(app, db, 'organiser');
    const c = await createContest(db, { slug: 'the-le', title: 'Thể lệ', code_prefix: 'TL', opens_at: new Date('2021-08-31T17:00:00Z'), closes_at: new Date('2021-09-30T16:59:00Z') });
    const res = await postForm(agent, `/organiser/contests/${c.id}`, contestFormBody({ title: 'Thể lệ', slug: 'the-le', code_prefix: 'TL', rules_md: '# Thể lệ mới' }), NEW);
    expect(res.status).toBe(303);
    expect((await one<{ rules_version: number; rules_md: string }>(db.pool, 'SELECT rules_version, rules_md FROM contests WHERE id = $1', [c.id]))).toEqual({ rules_version: 2, rules_md: '# Thể lệ mới' });
  });
});

describe('every string is translated', () => {
  test.each(['vi', 'en'])('no page of the feature shows a raw locale key (%s)', async (lang) => {
    const { agent } = await agentAs(app, db, 'organiser');
    const c = await createContest(db, { slug: `dich-${lang}`, code_prefix: lang === 'vi' ? 'DV' : 'DE', state: 'draft' });
    await db.pool.query("INSERT INTO prize_tiers (contest_id, name, count, decided_by) VALUES ($1, 'Giải bình chọn', 1, 'engagement')", [c.id]);
    const pages = ['/organiser/contests', NEW, `/organiser/contests/${c.id}/edit`, `/c/${c.slug}`, `/c/${c.slug}/rules`, '/'];
    for (const url of pages) {
      const res = await agent.get(url).set('Cookie', `lang=${lang}`);
      expect(res.status).toBe(200);
      const text = res.text.replace(/<[^>]*>/g, ' ');
      expect({ url, raw: text.match(/\bcontests\.[A-Za-z_.]+/g) }).toEqual({ url, raw: null });
      expect(res.text).toContain(`<html lang="${lang}">`);
    }
  });
});
