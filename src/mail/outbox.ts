import type { Queryable } from '../db';
import { one } from '../db';

export interface MailToQueue {
  kind: string;
  to: string;
  subject: string;
  text: string;
  html?: string | null;
  contestId?: number | null;
}

/**
 * Queues a mail in the outbox inside the caller's transaction: it exists exactly when the change
 * that caused it committed. The sender job delivers it when SMTP_URL is set; otherwise organisers
 * read it on the outbox page.
 */
export async function enqueueMail(tx: Queryable, m: MailToQueue): Promise<number> {
  const row = await one<{ id: number }>(
    tx,
    `INSERT INTO outbox (kind, to_address, subject, text_body, html_body, contest_id) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [m.kind, m.to, m.subject, m.text, m.html ?? null, m.contestId ?? null],
  );
  return row.id;
}
