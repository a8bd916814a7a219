import http from 'node:http';
import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import request from 'supertest';
import { one, rows } from '../../../src/db';
import { verifyPendingLinks } from '../../../src/entries/linkCheck';
import { sendDueMail } from '../../../src/mail/sender';
import { resetDb, testConfig, testDb } from '../../helpers/db';
import { agentAs, makeApp } from '../../helpers/app';
import { createContest, createEntry } from '../../helpers/factories';
import { entriesSubmission, entriesUploadDir } from '../../helpers/factories/entries';

const db = testDb();
const app = makeApp(db, testConfig({ RATE_LIMITS: 'false', UPLOAD_DIR: entriesUploadDir() }));
beforeAll(() => resetDb(db.pool));
afterAll(() => db.close());

describe('outbox sender', () => {
  it('sends the receipt through SMTP (a loopback server), marks it sent; a refusing server leaves it pending with the error', async () => {
    const received: { to: string; body: string }[] = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onRcptTo(address, _s, cb) {
        if (address.address.startsWith('refuse')) return cb(new Error('mailbox unavailable'));
        cb();
      },
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
    const port = (server.server.address() as AddressInfo).port;
    try {
      const c = await createContest(db, { code_prefix: 'OUT' });
      const ok = await request(app).post(`/api/v1/contests/${c.slug}/entries`).send(entriesSubmission({ email: 'linh@example.vn' }));
      const bad = await request(app).post(`/api/v1/contests/${c.slug}/entries`).send(entriesSubmission({ email: 'refuse@example.vn' }));
      expect([ok.status, bad.status]).toEqual([201, 201]);
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
      expect(await sendDueMail(db.pool, transport, 'Clipjury <no-reply@clipjury.local>')).toEqual({ sent: 1, failed: 1 });
      expect(received).toHaveLength(1);
      expect(received[0]?.to).toBe('linh@example.vn');
      expect(received[0]?.body).toContain('OUT-00001');
      const states = await rows<{ to_address: string; status: string; attempts: number; err: boolean }>(db.pool, 'SELECT to_address, status, attempts, last_error IS NOT NULL AS err FROM outbox ORDER BY id');
      expect(states).toEqual([
        { to_address: 'linh@example.vn', status: 'sent', attempts: 1, err: false },
        { to_address: 'refuse@example.vn', status: 'pending', attempts: 1, err: true },
      ]);
      // Nothing is due again right away: no double send.
      expect(await sendDueMail(db.pool, transport, 'x@y.z')).toEqual({ sent: 0, failed: 0 });
      transport.close();
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('organisers read the outbox; judges cannot', async () => {
    const { agent } = await agentAs(app, db, 'organiser');
    const page = await agent.get('/organiser/outbox');
    expect(page.status).toBe(200);
    expect(page.text).toContain('refuse@example.vn');
    expect(page.text).toContain('SMTP_URL');
    const { agent: judge } = await agentAs(app, db, 'judge');
    expect((await judge.get('/organiser/outbox')).status).toBe(403);
  });
});

describe('link verification job', () => {
  it('resolves "link to verify" entries when TikTok answers; a clip already entered becomes failed', async () => {
    const server = http.createServer((req, res) => {
      const target = req.url === '/AAAA1111/' ? '7003421587766431777' : req.url === '/DUPE2222/' ? '7003421587766431888' : null;
      if (!target) {
        res.writeHead(404);
        return res.end();
      }
      res.writeHead(301, { location: `https://www.tiktok.com/@someone/video/${target}` });
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const c = await createContest(db, { code_prefix: 'LNK' });
      await createEntry(db, c, { video_id: '7003421587766431888' });
      const a = await createEntry(db, c, { video_id: null, link_status: 'to_verify', tiktok_url_input: 'https://vm.tiktok.com/AAAA1111/' });
      const b = await createEntry(db, c, { video_id: null, link_status: 'to_verify', tiktok_url_input: 'https://vm.tiktok.com/DUPE2222/' });
      expect(await verifyPendingLinks(db.pool, { enabled: false, timeoutMs: 500, origin })).toEqual({ resolved: 0, failed: 0, pending: 0 });
      expect(await verifyPendingLinks(db.pool, { enabled: true, timeoutMs: 1000, origin })).toEqual({ resolved: 1, failed: 1, pending: 0 });
      const ra = await one(db.pool, 'SELECT video_id, canonical_url, link_status FROM entries WHERE id = $1', [a.id]);
      expect(ra).toEqual({ video_id: '7003421587766431777', canonical_url: 'https://www.tiktok.com/@someone/video/7003421587766431777', link_status: 'ok' });
      expect((await one<{ link_status: string }>(db.pool, 'SELECT link_status FROM entries WHERE id = $1', [b.id])).link_status).toBe('failed');
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
