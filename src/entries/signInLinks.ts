import { createHash, randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import type { ContestRow } from '../contests/queries';
import { withTransaction } from '../db';
import { TooManyRequestsError } from '../http/errors';
import { hit } from '../http/rateLimit';
import { translate, type Lang } from '../i18n';
import { enqueueMail } from '../mail/outbox';
import * as q from './queries';

/**
 * One-time sign-in links for entrants: asked for with the email used, sent through the outbox,
 * good once and for SIGN_IN_LINK_MINUTES. The token (32 random bytes) travels only in the mail;
 * the database keeps its SHA-256. Whether the email is known never shows in the answer.
 */
export const SIGN_IN_LINK_MINUTES = 30;

/** base64url of 32 bytes. Anything else is not a token and costs no query. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

function hashOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface SignInLinkRequest {
  email: string;
  /** The entry code, when the entrant gave it: the link then leads to that entry first. */
  code: string | null;
}

export interface SignInLinkContext {
  now: Date;
  ip: string;
  lang: Lang;
  publicUrl: string | undefined;
  rateLimits: { enabled: boolean; perIpPerHour: number; perEmailPerHour: number };
}

/**
 * Queues the mail when the contest has entries sent with this email; does nothing visible
 * otherwise. Both limits count every request, known email or not, so a 429 reveals nothing
 * either. The per-IP budget is the look-up's own: both are ways into an entry.
 */
export async function requestSignInLink(pool: Pool, contest: ContestRow, input: SignInLinkRequest, ctx: SignInLinkContext): Promise<void> {
  if (ctx.rateLimits.enabled) {
    const ip = await hit(pool, `lookup:ip:${ctx.ip}`, 3600, ctx.now);
    if (ip.count > ctx.rateLimits.perIpPerHour) throw new TooManyRequestsError(ip.retryAfterSeconds);
    // Per address across contests: nobody can fill a stranger's inbox by naming many contests.
    const mailbox = await hit(pool, `sign-in-link:email:${input.email}`, 3600, ctx.now);
    if (mailbox.count > ctx.rateLimits.perEmailPerHour) throw new TooManyRequestsError(mailbox.retryAfterSeconds);
  }
  if (!(await q.contestHasEntrantEmail(pool, contest.id, input.email))) return;
  const named = input.code ? await q.findEntryIdByCodeAndEmail(pool, contest.id, input.code, input.email) : undefined;
  const token = randomBytes(32).toString('base64url');
  const t = (k: string, p?: Record<string, string | number>) => translate(ctx.lang, k, p);
  await withTransaction(pool, async (tx) => {
    await q.insertSignInLink(tx, {
      contestId: contest.id,
      email: input.email,
      entryId: named?.id ?? null,
      tokenHash: hashOf(token),
      minutes: SIGN_IN_LINK_MINUTES,
    });
    await enqueueMail(tx, {
      kind: 'entrant_sign_in_link',
      to: input.email,
      subject: t('entries.signIn.mail.subject', { contest: contest.title }),
      text: t('entries.signIn.mail.body', {
        contest: contest.title,
        link: `${ctx.publicUrl ?? ''}/c/${contest.slug}/my-link?t=${token}`,
        minutes: SIGN_IN_LINK_MINUTES,
      }),
      contestId: contest.id,
    });
  });
}

/** Whether the link may still be used in this contest (reading only: mail scanners open links too). */
export async function signInLinkUsable(pool: Pool, contest: ContestRow, token: string): Promise<boolean> {
  return TOKEN_SHAPE.test(token) && q.signInLinkUsable(pool, contest.id, hashOf(token));
}

/**
 * Uses the link up. Answers the entries of its email in this contest and where to go: the entry
 * named when the link was asked for (if it still has that email), else the only entry, else the
 * list. Null when the link is unknown, already used, expired or belongs to another contest.
 */
export async function useSignInLink(pool: Pool, contest: ContestRow, token: string): Promise<{ entries: { id: number; code: string }[]; goTo: string | null } | null> {
  if (!TOKEN_SHAPE.test(token)) return null;
  const used = await q.consumeSignInLink(pool, contest.id, hashOf(token));
  if (!used) return null;
  const named = used.entries.find((e) => e.id === used.named);
  return { entries: used.entries, goTo: named?.code ?? (used.entries.length === 1 ? used.entries[0]!.code : null) };
}
