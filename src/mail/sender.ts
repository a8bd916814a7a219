import nodemailer from 'nodemailer';
import type { Pool } from 'pg';
import { execute, rows } from '../db';

/**
 * The outbox sender: claims due mail (SKIP LOCKED, so two instances never send the same message),
 * sends it through SMTP and records the outcome. Without SMTP_URL nothing is sent and mail stays
 * readable on the organisers' outbox page.
 */
export interface MailTransport {
  sendMail(m: { from: string; to: string; subject: string; text: string; html?: string }): Promise<unknown>;
}

const transports = new Map<string, MailTransport>();
/** One pooled transport per SMTP_URL, reused by every run of the job. */
export function smtpTransport(url: string): MailTransport {
  let t = transports.get(url);
  if (!t) {
    t = nodemailer.createTransport(url);
    transports.set(url, t);
  }
  return t;
}

const MAX_ATTEMPTS = 8;

export async function sendDueMail(pool: Pool, transport: MailTransport, from: string, batch = 20): Promise<{ sent: number; failed: number }> {
  // Claiming pushes next_try_at forward first: a crash mid-send retries later instead of never.
  const due = await rows<{ id: number; to_address: string; subject: string; text_body: string; html_body: string | null; attempts: number }>(
    pool,
    `UPDATE outbox SET attempts = attempts + 1, next_try_at = now() + interval '10 minutes'
      WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND next_try_at <= now() ORDER BY next_try_at, id LIMIT $1 FOR UPDATE SKIP LOCKED)
      RETURNING id, to_address, subject, text_body, html_body, attempts`,
    [batch],
  );
  let sent = 0;
  let failed = 0;
  for (const m of due) {
    try {
      await transport.sendMail({ from, to: m.to_address, subject: m.subject, text: m.text_body, ...(m.html_body ? { html: m.html_body } : {}) });
      await execute(pool, `UPDATE outbox SET status = 'sent', sent_at = now(), last_error = NULL WHERE id = $1`, [m.id]);
      sent += 1;
    } catch (err) {
      failed += 1;
      const giveUp = m.attempts >= MAX_ATTEMPTS;
      await execute(
        pool,
        `UPDATE outbox SET last_error = $2, status = CASE WHEN $3 THEN 'failed' ELSE 'pending' END,
                next_try_at = now() + make_interval(secs => $4) WHERE id = $1`,
        [m.id, String((err as Error).message).slice(0, 500), giveUp, Math.min(3600, 30 * 2 ** m.attempts)],
      );
    }
  }
  return { sent, failed };
}
