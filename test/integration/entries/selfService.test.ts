import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { execute, one, rows } from '../../../src/db';
import { purgeOldSignInLinks } from '../../../src/entries/queries';
import { clear } from '../../../src/http/rateLimit';
import { sendDueMail } from '../../../src/mail/sender';
import { entrantLink } from '../../helpers/actors';
import { csrfFrom, makeApp } from '../../helpers/app';
import { resetDb, testConfig, testDb } from '../../helpers/db';
import { createContest, createEntry } from '../../helpers/factories';

/**
 * The entrant's own page, the two parts issue 4 left open: the one-time sign-in link by email,
 * and correcting one's own details (contact and the contest's extra fields).
 */
const db = testDb();
const app = makeApp(db, testConfig({ RATE_LIMITS: 'false', PUBLIC_URL: 'http://thi.example.vn' }));
let pn = 0;
const prefix = () => `S${String(++pn).padStart(3, '0')}`;

beforeAll(() => resetDb(db.pool));
afterAll(() => db.close());

async function askForLink(agent: TestAgent, slug: string, email: string, entryCode = '') {
  const token = csrfFrom((await agent.get(`/c/${slug}/my`)).text);
  return agent.post(`/c/${slug}/my-link`).type('form').send({ _csrf: token, email, entryCode });
}

/** The last sign-in mail to an address: its link, as a path on this app. */
async function linkMailedTo(email: string): Promise<string> {
  const m = await one<{ text_body: string }>(db.pool, `SELECT text_body FROM outbox WHERE kind = 'entrant_sign_in_link' AND to_address = $1 ORDER BY id DESC LIMIT 1`, [email]);
  const url = /http:\/\/thi\.example\.vn(\/c\/[^\s/]+\/my-link\?t=[A-Za-z0-9_-]{43})/.exec(m.text_body)?.[1];
  if (!url) throw new Error(`no link in ${m.text_body}`);
  return url;
}

const tokenOf = (link: string) => new URL(link, 'http://x').searchParams.get('t') as string;
const useUrl = (link: string) => link.replace(/\/my-link\?t=.*$/, '/my-link/use');

/** Opens a mailed link as a person does: the confirmation page, then its button (which posts the token). */
async function useLink(agent: TestAgent, link: string) {
  const page = await agent.get(link);
  if (page.status !== 200) return page;
  expect(page.text).toContain(`name="token" value="${tokenOf(link)}"`);
  return agent.post(useUrl(link)).type('form').send({ _csrf: csrfFrom(page.text), token: tokenOf(link) });
}

const mailCount = async (email: string) =>
  (await one<{ n: number }>(db.pool, `SELECT count(*)::int AS n FROM outbox WHERE to_address = $1`, [email])).n;

describe('the one-time sign-in link', () => {
  it('is mailed through SMTP, opens the entry once, then answers "used or expired"; only its hash is stored', async () => {
    const received: { to: string; body: string }[] = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, cb) {
        let body = '';
        stream.on('data', (c: Buffer) => (body += c.toString()));
        stream.on('end', () => {
          received.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), body });
          cb();
        });
      },
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: (server.server.address() as AddressInfo).port, secure: false, ignoreTLS: true });
    try {
      const c = await createContest(db, { code_prefix: prefix(), title: 'Thời khắc' });
      const mine = await createEntry(db, c, { email: 'linh.once@example.vn', title: 'Clip của Linh' });
      const other = await createEntry(db, c, { email: 'someone.else@example.vn', title: 'Clip người khác' });
      const asked = await askForLink(request.agent(app), c.slug, '  Linh.Once@Example.VN ');
      expect(asked.status).toBe(200);
      expect(asked.text).toContain('Hãy kiểm tra hộp thư');

      expect(await sendDueMail(db.pool, transport, 'Clipjury <no-reply@clipjury.local>')).toEqual({ sent: 1, failed: 0 });
      expect(received.map((m) => m.to)).toEqual(['linh.once@example.vn']);
      const path = await linkMailedTo('linh.once@example.vn');
      const token = tokenOf(path);
      // Quoted-printable may fold the line; the token itself is unbroken in the raw message.
      expect(received[0]?.body.replace(/=\r?\n/g, '')).toContain(token);
      const stored = await rows<{ token_hash: string; email: string; used: boolean }>(db.pool, 'SELECT token_hash, email::text AS email, used_at IS NOT NULL AS used FROM entrant_sign_in_links WHERE contest_id = $1', [c.id]);
      expect(stored).toEqual([{ token_hash: createHash('sha256').update(token).digest('hex'), email: 'linh.once@example.vn', used: false }]);

      // A mail scanner's GET uses nothing up; the button does.
      const browser = request.agent(app);
      expect((await browser.get(path)).status).toBe(200);
      expect((await browser.get(path)).status).toBe(200);
      const used = await useLink(browser, path);
      expect(used.status).toBe(303);
      expect(used.headers.location).toBe(`/c/${c.slug}/my/${mine.code}`);
      const page = await browser.get(used.headers.location as string);
      expect(page.status).toBe(200);
      expect(page.text).toContain('Clip của Linh');
      expect((await browser.get(`/c/${c.slug}/my/${other.code}`)).status).toBe(404);

      // Second use, by anyone, even the same browser: the clear "used or expired" page.
      const again = await browser.get(path);
      expect(again.status).toBe(410);
      expect(again.text).toContain('Đường dẫn đã được dùng hoặc đã hết hạn');
      const replay = await request.agent(app).get(path);
      expect(replay.status).toBe(410);
      const stranger = request.agent(app);
      const st = csrfFrom((await stranger.get(`/c/${c.slug}/my`)).text);
      expect((await stranger.post(useUrl(path)).type('form').send({ _csrf: st, token })).status).toBe(410);
      expect((await stranger.get(`/c/${c.slug}/my/${mine.code}`)).status).toBe(404);
    } finally {
      transport.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('two clicks at once: exactly one opens the entry', async () => {
    const c = await createContest(db, { code_prefix: prefix() });
    await createEntry(db, c, { email: 'twice@example.vn' });
    await askForLink(request.agent(app), c.slug, 'twice@example.vn');
    const path = await linkMailedTo('twice@example.vn');
    const a = request.agent(app);
    const b = request.agent(app);
    const [ta, tb] = [csrfFrom((await a.get(path)).text), csrfFrom((await b.get(path)).text)];
    const answers = await Promise.all([
      a.post(useUrl(path)).type('form').send({ _csrf: ta, token: tokenOf(path) }),
      b.post(useUrl(path)).type('form').send({ _csrf: tb, token: tokenOf(path) }),
    ]);
    expect(answers.map((r) => r.status).sort()).toEqual([303, 410]);
  });

  it('expires after its time, unused', async () => {
    const c = await createContest(db, { code_prefix: prefix() });
    const e = await createEntry(db, c, { email: 'late@example.vn' });
    await askForLink(request.agent(app), c.slug, 'late@example.vn');
    const path = await linkMailedTo('late@example.vn');
    const minutes = await one<{ m: number }>(db.pool, `SELECT round(extract(epoch FROM expires_at - created_at) / 60)::int AS m FROM entrant_sign_in_links WHERE contest_id = $1`, [c.id]);
    expect(minutes.m).toBe(30);
    await execute(db.pool, `UPDATE entrant_sign_in_links SET expires_at = now() - interval '1 second' WHERE contest_id = $1`, [c.id]);
    const agent = request.agent(app);
    const page = await agent.get(path);
    expect(page.status).toBe(410);
    expect(page.text).toContain('Xin đường dẫn mới');
    const st = csrfFrom((await agent.get(`/c/${c.slug}/my`)).text);
    expect((await agent.post(useUrl(path)).type('form').send({ _csrf: st, token: tokenOf(path) })).status).toBe(410);
    expect((await agent.get(`/c/${c.slug}/my/${e.code}`)).status).toBe(404);
    expect((await one<{ used: boolean }>(db.pool, 'SELECT used_at IS NOT NULL AS used FROM entrant_sign_in_links WHERE contest_id = $1', [c.id])).used).toBe(false);
  });

  it('housekeeping drops links a day past their expiry, keeps the rest', async () => {
    const c = await createContest(db, { code_prefix: prefix() });
    await createEntry(db, c, { email: 'purge@example.vn' });
    for (let i = 0; i < 2; i += 1) await askForLink(request.agent(app), c.slug, 'purge@example.vn');
    const [old] = await rows<{ id: number }>(db.pool, 'SELECT id FROM entrant_sign_in_links WHERE contest_id = $1 ORDER BY id', [c.id]);
    await execute(db.pool, `UPDATE entrant_sign_in_links SET expires_at = now() - interval '25 hours' WHERE id = $1`, [old!.id]);
    expect(await purgeOldSignInLinks(db.pool)).toBe(1);
    expect((await rows(db.pool, 'SELECT id FROM entrant_sign_in_links WHERE contest_id = $1', [c.id])).length).toBe(1);
  });

  it('answers the same page for a known and an unknown email, and mails only the known one', async () => {
    const c = await createContest(db, { code_prefix: prefix() });
    await createEntry(db, c, { email: 'known@example.vn' });
    const known = await askForLink(request.agent(app), c.slug, 'known@example.vn');
    const unknown = await askForLink(request.agent(app), c.slug, 'nobody@example.vn');
    const withCode = await askForLink(request.agent(app), c.slug, 'nobody@example.vn', `${c.code_prefix}-00001`);
    expect([known.status, unknown.status, withCode.status]).toEqual([200, 200, 200]);
    const strip = (html: string) => html.replace(/value="[^"]*"/g, '').replace(/(known|nobody)@example\.vn/g, 'EMAIL');
    expect(strip(unknown.text)).toBe(strip(known.text));
    expect(strip(withCode.text)).toBe(strip(known.text));
    expect(await mailCount('known@example.vn')).toBe(1);
    expect(await mailCount('nobody@example.vn')).toBe(0);
    // A malformed email is a form error, whatever exists.
    const bad = await askForLink(request.agent(app), c.slug, 'not-an-email');
    expect(bad.status).toBe(422);
    expect(bad.text).toMatch(/id="f-email-err">Email chưa đúng/);
    expect(bad.text).toContain('value="not-an-email"');
  });

  it('opens every entry of that email in the contest (a list), the named entry first when a code was given; never another contest’s', async () => {
    const c = await createContest(db, { code_prefix: prefix() });
    const elsewhere = await createContest(db, { code_prefix: prefix() });
    const one1 = await createEntry(db, c, { email: 'many@example.vn', title: 'Bài thứ nhất' });
    const two = await createEntry(db, c, { email: 'MANY@example.vn', title: 'Bài thứ hai' });
    const notMine = await createEntry(db, c, { email: 'neighbour@example.vn', title: 'Bài hàng xóm' });
    const otherContest = await createEntry(db, elsewhere, { email: 'many@example.vn', title: 'Bài cuộc thi khác' });

    await askForLink(request.agent(app), c.slug, 'many@example.vn');
    const listLink = await linkMailedTo('many@example.vn');
    // The link of contest c, used under the other contest's address: used or expired, and still unused.
    const wrongPlace = listLink.replace(`/c/${c.slug}/`, `/c/${elsewhere.slug}/`);
    const crosser = request.agent(app);
    expect((await crosser.get(wrongPlace)).status).toBe(410);
    const ct = csrfFrom((await crosser.get(`/c/${elsewhere.slug}/my`)).text);
    expect((await crosser.post(useUrl(wrongPlace)).type('form').send({ _csrf: ct, token: tokenOf(listLink) })).status).toBe(410);
    expect((await crosser.get(`/c/${elsewhere.slug}/my/${otherContest.code}`)).status).toBe(404);

    const agent = request.agent(app);
    const used = await useLink(agent, listLink);
    expect(used.status).toBe(303);
    expect(used.headers.location).toBe(`/c/${c.slug}/my`);
    const list = await agent.get(`/c/${c.slug}/my`);
    expect(list.text).toContain('Các bài dự thi của bạn trong cuộc thi này');
    expect(list.text).toContain('Bài thứ nhất');
    expect(list.text).toContain('Bài thứ hai');
    expect(list.text).not.toContain('Bài hàng xóm');
    expect(list.text.indexOf(one1.code)).toBeLessThan(list.text.indexOf(two.code));
    expect((await agent.get(`/c/${c.slug}/my/${one1.code}`)).status).toBe(200);
    expect((await agent.get(`/c/${c.slug}/my/${two.code}`)).status).toBe(200);
    expect((await agent.get(`/c/${c.slug}/my/${notMine.code}`)).status).toBe(404);
    expect((await agent.get(`/c/${elsewhere.slug}/my/${otherContest.code}`)).status).toBe(404);
    expect((await agent.get(`/c/${elsewhere.slug}/my`)).text).not.toContain('Bài cuộc thi khác');

    // With a code: straight to that entry (the others open too).
    await askForLink(request.agent(app), c.slug, 'many@example.vn', two.code.toLowerCase());
    const named = await useLink(request.agent(app), await linkMailedTo('many@example.vn'));
    expect(named.headers.location).toBe(`/c/${c.slug}/my/${two.code}`);
    // Someone else's code with my email: the link still opens only my entries.
    await askForLink(request.agent(app), c.slug, 'many@example.vn', notMine.code);
    const b = request.agent(app);
    const mixed = await useLink(b, await linkMailedTo('many@example.vn'));
    expect(mixed.headers.location).toBe(`/c/${c.slug}/my`);
    expect((await b.get(`/c/${c.slug}/my/${notMine.code}`)).status).toBe(404);
  });

  it('in English when the entrant reads English', async () => {
    const c = await createContest(db, { code_prefix: prefix(), title: 'Moments' });
    await createEntry(db, c, { email: 'english@example.vn' });
    const agent = request.agent(app);
    await agent.get('/lang/en');
    const res = await askForLink(agent, c.slug, 'english@example.vn');
    expect(res.text).toContain('Check your inbox');
    const mail = await one<{ subject: string; text_body: string }>(db.pool, `SELECT subject, text_body FROM outbox WHERE to_address = 'english@example.vn'`);
    expect(mail.subject).toBe('[Moments] Your link to your entry');
    expect(mail.text_body).toContain('it works once and expires after 30 minutes');
  });
});

describe('sign-in link limits', () => {
  it('per email: the request past the limit answers 429 with Retry-After, known email or not', async () => {
    const limited = makeApp(db, testConfig({ SIGN_IN_LINK_LIMIT_PER_EMAIL_PER_HOUR: '2', LOOKUP_LIMIT_PER_IP_PER_HOUR: '1000' }));
    const c = await createContest(db, { code_prefix: prefix() });
    await createEntry(db, c, { email: 'flood@example.vn' });
    const statuses = async (email: string) => {
      const out: number[] = [];
      for (let i = 0; i < 3; i += 1) out.push((await askForLink(request.agent(limited), c.slug, email)).status);
      return out;
    };
    expect(await statuses('flood@example.vn')).toEqual([200, 200, 429]);
    expect(await statuses('flood-unknown@example.vn')).toEqual([200, 200, 429]);
    const last = await askForLink(request.agent(limited), c.slug, 'flood@example.vn');
    expect(last.status).toBe(429);
    expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
    expect(await mailCount('flood@example.vn')).toBe(2);
  });

  it('per IP, shared with the code look-up', async () => {
    const limited = makeApp(db, testConfig({ SIGN_IN_LINK_LIMIT_PER_EMAIL_PER_HOUR: '1000', LOOKUP_LIMIT_PER_IP_PER_HOUR: '3' }));
    const keys = await rows<{ key: string }>(db.pool, `SELECT DISTINCT key FROM rate_counters WHERE key LIKE 'lookup:ip:%'`);
    for (const k of keys) await clear(db.pool, k.key);
    const c = await createContest(db, { code_prefix: prefix() });
    const agent = request.agent(limited);
    const token = csrfFrom((await agent.get(`/c/${c.slug}/my`)).text);
    expect((await agent.post(`/c/${c.slug}/my`).type('form').send({ _csrf: token, code: 'X-1', contact: 'a@example.vn' })).status).toBe(200);
    expect((await agent.post(`/c/${c.slug}/my-link`).type('form').send({ _csrf: token, email: 'ip1@example.vn' })).status).toBe(200);
    expect((await agent.post(`/c/${c.slug}/my-link`).type('form').send({ _csrf: token, email: 'ip2@example.vn' })).status).toBe(200);
    expect((await agent.post(`/c/${c.slug}/my-link`).type('form').send({ _csrf: token, email: 'ip3@example.vn' })).status).toBe(429);
    expect((await agent.post(`/c/${c.slug}/my`).type('form').send({ _csrf: token, code: 'X-1', contact: 'a@example.vn' })).status).toBe(429);
    for (const k of await rows<{ key: string }>(db.pool, `SELECT DISTINCT key FROM rate_counters WHERE key LIKE 'lookup:ip:%'`)) await clear(db.pool, k.key);
  });
});

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
