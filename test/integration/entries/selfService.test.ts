import request from 'supertest';
import { execute, one, rows } from '../../../src/db';
import { entrantLink } from '../../helpers/actors';
import { csrfFrom, makeApp } from '../../helpers/app';
import { resetDb, testConfig, testDb } from '../../helpers/db';
import { createContest, createEntry } from '../../helpers/factories';

/** The entrant's own page: correcting one's own details (contact and the contest's extra fields). */
const db = testDb();
const app = makeApp(db, testConfig({ RATE_LIMITS: 'false' }));
let pn = 0;
const prefix = () => `S${String(++pn).padStart(3, '0')}`;

beforeAll(() => resetDb(db.pool));
afterAll(() => db.close());

describe("correcting the entrant's own details", () => {
  const FIELDS = { dateOfBirth: 'optional', organisation: 'optional', occupation: 'optional', province: 'required', address: 'optional', nationalId: 'optional' };

  async function ownPage(entryId: number) {
    const agent = request.agent(app);
    const page = await agent.get(await entrantLink(db, entryId));
    expect(page.status).toBe(200);
    return { agent, token: csrfFrom(page.text), page };
  }

  const entrantOf = (entryId: number) =>
    one(
      db.pool,
      `SELECT p.display_name, p.email::text AS email, p.phone_e164, to_char(p.date_of_birth, 'YYYY-MM-DD') AS date_of_birth, p.organisation, p.occupation,
              p.province, p.address, p.national_id
         FROM entries e JOIN entrants p ON p.id = e.entrant_id WHERE e.id = $1`,
      [entryId],
    );

  it('stores a valid change exactly (E.164 phone, lower-case email, NFC name), audits it, tells the old address; the private link still works', async () => {
    const c = await createContest(db, { code_prefix: prefix(), entrant_fields: FIELDS, min_age: 16 });
    const e = await createEntry(db, c, { email: 'cu@example.vn', phone_e164: '+84912000111', full_name: 'Nguyễn Thị Trúc Linh' });
    await execute(db.pool, `UPDATE entrants SET national_id = '079012345678' WHERE id = $1`, [e.entrant_id]);
    const link = await entrantLink(db, e.id);
    const { agent, token } = await ownPage(e.id);
    const res = await agent.post(`/c/${c.slug}/my/${e.code}/details`).type('form').send({
      _csrf: token,
      displayName: '  Tru\u0301c   Linh ',
      email: ' Linh.MOI@Example.VN ',
      phone: '0987 654 321',
      dateOfBirth: '2001-02-03',
      organisation: ' Bệnh viện Chợ Rẫy ',
      occupation: '',
      province: 'TP. Hồ Chí Minh',
      address: '',
      nationalId: '',
    });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/c/${c.slug}/my/${e.code}`);
    expect(await entrantOf(e.id)).toEqual({
      display_name: 'Trúc Linh',
      email: 'linh.moi@example.vn',
      phone_e164: '+84987654321',
      date_of_birth: '2001-02-03',
      organisation: 'Bệnh viện Chợ Rẫy',
      occupation: null,
      province: 'TP. Hồ Chí Minh',
      address: null,
      // Left empty: kept.
      national_id: '079012345678',
    });
    const audit = await rows(db.pool, `SELECT actor_label, before, after FROM audit_log WHERE action = 'entrant.details_corrected' AND contest_id = $1`, [c.id]);
    expect(audit).toEqual([
      {
        actor_label: `entrant ${e.code}`,
        before: { displayName: 'Nguyễn Thị Trúc Linh', email: 'cu@example.vn', phone: '+84912000111', dateOfBirth: null, organisation: null, province: 'Hà Nội' },
        after: { displayName: 'Trúc Linh', email: 'linh.moi@example.vn', phone: '+84987654321', dateOfBirth: '2001-02-03', organisation: 'Bệnh viện Chợ Rẫy', province: 'TP. Hồ Chí Minh' },
      },
    ]);
    const notice = await rows(db.pool, `SELECT kind, to_address FROM outbox WHERE contest_id = $1`, [c.id]);
    expect(notice).toEqual([{ kind: 'entrant_email_changed', to_address: 'cu@example.vn' }]);
    const saved = await agent.get(res.headers.location as string);
    expect(saved.text).toContain('Đã lưu thông tin của bạn.');
    expect(saved.text).toContain('+84987654321');

    // The receipt's private link keeps working in a new browser; the look-up takes the new phone, not the old.
    expect((await request(app).get(link)).status).toBe(200);
    const fresh = request.agent(app);
    const st = csrfFrom((await fresh.get(`/c/${c.slug}/my`)).text);
    expect((await fresh.post(`/c/${c.slug}/my`).type('form').send({ _csrf: st, code: e.code, contact: '0912 000 111' })).status).toBe(200);
    expect((await fresh.post(`/c/${c.slug}/my`).type('form').send({ _csrf: st, code: e.code, contact: '0987654321' })).status).toBe(303);

    // The same details again: nothing to record.
    const same = await agent.post(`/c/${c.slug}/my/${e.code}/details`).type('form').send({
      _csrf: token, displayName: 'Trúc Linh', email: 'linh.moi@example.vn', phone: '+84987654321', dateOfBirth: '2001-02-03', organisation: 'Bệnh viện Chợ Rẫy', province: 'TP. Hồ Chí Minh',
    });
    expect(same.status).toBe(303);
    expect((await one<{ n: number }>(db.pool, `SELECT count(*)::int AS n FROM audit_log WHERE action = 'entrant.details_corrected' AND contest_id = $1`, [c.id])).n).toBe(1);
  });

  it('a bad phone answers 422: every typed value kept, the message beside the phone field, nothing stored', async () => {
    const c = await createContest(db, { code_prefix: prefix(), entrant_fields: FIELDS, min_age: 16 });
    const e = await createEntry(db, c, { email: 'giu@example.vn' });
    const before = await entrantOf(e.id);
    const { agent, token } = await ownPage(e.id);
    const res = await agent.post(`/c/${c.slug}/my/${e.code}/details`).type('form').send({
      _csrf: token, displayName: 'Tên "mới" & <b>', email: 'giu@example.vn', phone: '12ab', organisation: 'Trường THPT Lê Quý Đôn', province: 'Đà Nẵng', dateOfBirth: '2020-01-01',
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain('value="12ab"');
    expect(res.text).toContain('value="Tên &#34;mới&#34; &amp; &lt;b&gt;"');
    expect(res.text).toContain('value="Trường THPT Lê Quý Đôn"');
    expect(res.text).toMatch(/id="f-phone" [^>]*aria-invalid="true"/);
    expect(res.text).toMatch(/id="f-phone-err">Số điện thoại chưa đúng/);
    expect(res.text).toMatch(/id="f-dateOfBirth-err">Bạn chưa đủ tuổi tối thiểu/);
    expect(res.text).not.toContain('id="f-email-err"');
    expect(await entrantOf(e.id)).toEqual(before);
    // No contact at all, and a required field emptied: one message each.
    const none = await agent.post(`/c/${c.slug}/my/${e.code}/details`).type('form').send({ _csrf: token, email: '', phone: ' ', province: '' });
    expect(none.status).toBe(422);
    expect(none.text).toMatch(/id="f-email-err">Cần ít nhất email hoặc số điện thoại/);
    expect(none.text).toMatch(/id="f-province-err">/);
    expect(await entrantOf(e.id)).toEqual(before);
  });

  it('a new email or phone stays within the per-entrant limit', async () => {
    const c = await createContest(db, { code_prefix: prefix(), max_entries_per_entrant: 2 });
    await createEntry(db, c, { email: 'full@example.vn', phone_e164: '+84911000001' });
    const second = await createEntry(db, c, { email: 'full@example.vn', phone_e164: '+84911000001' });
    const mine = await createEntry(db, c, { email: 'free@example.vn', phone_e164: '+84911000003' });
    const { agent, token } = await ownPage(mine.id);
    const over = await agent.post(`/c/${c.slug}/my/${mine.code}/details`).type('form').send({ _csrf: token, email: 'FULL@example.vn', phone: '0911000003' });
    expect(over.status).toBe(409);
    expect(over.text).toMatch(/id="f-email-err">Mỗi thí sinh được gửi tối đa 2 bài dự thi/);
    expect(over.text).toContain('value="FULL@example.vn"');
    const byPhone = await agent.post(`/c/${c.slug}/my/${mine.code}/details`).type('form').send({ _csrf: token, email: '', phone: '0911 000 001' });
    expect(byPhone.status).toBe(409);
    expect(byPhone.text).toContain('id="f-phone-err"');
    expect(await entrantOf(mine.id)).toMatchObject({ email: 'free@example.vn', phone_e164: '+84911000003' });
    // A withdrawn entry of that address does not count.
    await execute(db.pool, `UPDATE entries SET status = 'withdrawn' WHERE id = $1`, [second.id]);
    expect((await agent.post(`/c/${c.slug}/my/${mine.code}/details`).type('form').send({ _csrf: token, email: 'full@example.vn', phone: '' })).status).toBe(303);
    expect(await entrantOf(mine.id)).toMatchObject({ email: 'full@example.vn', phone_e164: null });
  });

  it('after the deadline: refused and read-only', async () => {
    const c = await createContest(db, { code_prefix: prefix(), entrant_fields: FIELDS });
    const e = await createEntry(db, c, { email: 'tre@example.vn' });
    const { agent, token, page } = await ownPage(e.id);
    expect(page.text).toContain(`action="/c/${c.slug}/my/${e.code}/details"`);
    await execute(db.pool, `UPDATE contests SET opens_at = now() - interval '2 days', closes_at = now() - interval '1 minute' WHERE id = $1`, [c.id]);
    const before = await entrantOf(e.id);
    const late = await agent.post(`/c/${c.slug}/my/${e.code}/details`).type('form').send({ _csrf: token, email: 'moi@example.vn', phone: '', province: 'Huế' });
    expect(late.status).toBe(403);
    expect(late.text).toContain('chỉ để xem');
    expect(await entrantOf(e.id)).toEqual(before);
    const after = await agent.get(`/c/${c.slug}/my/${e.code}`);
    expect(after.text).not.toContain('/details"');
    expect(after.text).toContain('tre@example.vn');
  });

  it("entry A's token or session never reaches entry B's details", async () => {
    const c = await createContest(db, { code_prefix: prefix() });
    const a = await createEntry(db, c, { email: 'a.owner@example.vn' });
    const b = await createEntry(db, c, { email: 'b.owner@example.vn', full_name: 'Người Thứ Hai' });
    const tokenA = new URL(await entrantLink(db, a.id), 'http://x').searchParams.get('t');
    const asA = request.agent(app);
    const onB = await asA.get(`/c/${c.slug}/my/${b.code}?t=${tokenA}`);
    expect(onB.status).toBe(404);
    expect(onB.text).not.toContain('b.owner@example.vn');
    const pageA = await asA.get(`/c/${c.slug}/my/${a.code}?t=${tokenA}`);
    expect(pageA.status).toBe(200);
    const before = await entrantOf(b.id);
    const res = await asA.post(`/c/${c.slug}/my/${b.code}/details?t=${tokenA}`).type('form').send({ _csrf: csrfFrom(pageA.text), email: 'stolen@example.vn', phone: '' });
    expect(res.status).toBe(404);
    expect(res.text).not.toContain('Người Thứ Hai');
    expect(await entrantOf(b.id)).toEqual(before);
  });

  it('shows the national ID masked and never sends it back in the form; required and missing → 422', async () => {
    const c = await createContest(db, { code_prefix: prefix(), entrant_fields: { nationalId: 'required' } });
    const e = await createEntry(db, c, { email: 'cccd@example.vn', phone_e164: '+84911000077' });
    await execute(db.pool, `UPDATE entrants SET national_id = '001203004567' WHERE id = $1`, [e.entrant_id]);
    const { agent, token, page } = await ownPage(e.id);
    expect(page.text).toContain('•••••••••567');
    expect(page.text).not.toContain('001203004567');
    expect(page.text).toMatch(/id="f-nationalId" name="nationalId" type="text" value=""/);
    const changed = await agent.post(`/c/${c.slug}/my/${e.code}/details`).type('form').send({ _csrf: token, email: 'cccd@example.vn', phone: '0911 000 077', nationalId: '0012 0300 9999' });
    expect(changed.status).toBe(303);
    expect(await entrantOf(e.id)).toMatchObject({ national_id: '001203009999' });
    const audit = await one<{ before: unknown; after: unknown }>(db.pool, `SELECT before, after FROM audit_log WHERE action = 'entrant.details_corrected' AND contest_id = $1`, [c.id]);
    expect(audit).toEqual({ before: { nationalId: '•••••••••567' }, after: { nationalId: '•••••••••999' } });
    const shown = await agent.get(`/c/${c.slug}/my/${e.code}`);
    expect(shown.text).toContain('•••••••••999');
    expect(shown.text).not.toContain('001203009999');
    const bad = await agent.post(`/c/${c.slug}/my/${e.code}/details`).type('form').send({ _csrf: token, email: 'cccd@example.vn', phone: '0911 000 077', nationalId: '12345' });
    expect(bad.status).toBe(422);
    expect(bad.text).toMatch(/id="f-nationalId-err">/);
    // A required ID the entrant never gave: the empty field is an error, not "keep".
    const none = await createEntry(db, c, { email: 'no-id@example.vn' });
    const second = await ownPage(none.id);
    const missing = await second.agent.post(`/c/${c.slug}/my/${none.code}/details`).type('form').send({ _csrf: second.token, email: 'no-id@example.vn', nationalId: '' });
    expect(missing.status).toBe(422);
    expect(missing.text).toMatch(/id="f-nationalId-err">/);
  });
});
