import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Pool } from 'pg';
import type { Tx } from '../db';
import { UniqueViolation, withTransaction } from '../db';
import { recordAudit, type Actor } from '../audit/service';
import { acceptsCorrections, acceptsSubmissions, submissionsEndAt } from '../contests/phase';
import type { ContestRow } from '../contests/queries';
import { AppError, ConflictError, TooManyRequestsError, ValidationError } from '../http/errors';
import { hit } from '../http/rateLimit';
import { enqueueMail } from '../mail/outbox';
import { translate, type Lang } from '../i18n';
import type { UploadStore } from '../storage/store';
import { deleteStoredFileData, withUploadTransaction } from '../storage/files';
import type { ReceivedFile } from '../storage/upload';
import { parseTikTokLink, postedAtFromVideoId } from '../tiktok/links';
import { captionHasHashtag, fetchOEmbed, resolveShortLink, type TikTokClientOptions } from '../tiktok/resolve';
import * as q from './queries';
import { submitBatcherFor } from './submitBatcher';
import type { SubmissionInput } from './schemas';
import { changeEntryStatus } from './states';

/** No network call may hold the form longer than this, whatever TIKTOK_TIMEOUT_MS says. */
export const TIKTOK_BUDGET_MS = 3000;

export class SubmissionsClosedError extends AppError {
  constructor() {
    super(403, 'submissions_closed', 'entries.closed');
  }
}

export interface SubmitContext {
  now: Date;
  ip: string;
  lang: Lang;
  idempotencyKey: string | null;
  upload: ReceivedFile | undefined;
  tiktok: TikTokClientOptions;
  rateLimits: { enabled: boolean; perIpPerHour: number; perEntrantPerHour: number };
  secret: string;
  publicUrl: string | undefined;
  /** Test seam: runs inside the transaction just before COMMIT (a crash there must leave nothing). */
  beforeCommit?: (tx: Tx) => Promise<void>;
}

export interface Receipt {
  entryId: number;
  code: string;
  status: string;
  videoId: string | null;
  canonicalUrl: string | null;
  linkStatus: 'ok' | 'to_verify' | 'failed';
  hashtagStatus: string;
  postedEarly: boolean;
  accessToken: string;
  replayed: boolean;
}

/**
 * The contest changed between the read the submission was validated against and the write
 * (migration 060): the caller re-reads it and validates again.
 */
export class StaleContestError extends AppError {
  constructor() {
    super(409, 'contest_changed', 'entries.contestChanged');
  }
}

/** Thrown inside the transaction when a twin request already created the entry. */
class Replay extends Error {
  constructor(readonly entry: q.EntryRow) {
    super('replay');
  }
}

/**
 * The secret of the entrant's link: an HMAC of the entry's random salt (unique per entry); only
 * the salt is stored, and a new salt revokes old links. The entry id is not needed, so the
 * receipt mail can be written before the row exists.
 */
export function accessTokenFor(secret: string, _entryId: number, salt: string): string {
  return createHmac('sha256', secret).update(`entry-access:${salt}`).digest('base64url').slice(0, 32);
}

export function checkAccessToken(secret: string, entry: { id: number; access_salt: string }, token: unknown): boolean {
  if (typeof token !== 'string' || token.length !== 32) return false;
  const expected = Buffer.from(accessTokenFor(secret, entry.id, entry.access_salt));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function receiptOf(
  entry: Pick<q.EntryRow, 'id' | 'code' | 'status' | 'video_id' | 'canonical_url' | 'link_status' | 'hashtag_status' | 'posted_early' | 'access_salt'>,
  secret: string,
  replayed: boolean,
  accessToken = accessTokenFor(secret, entry.id, entry.access_salt),
): Receipt {
  return {
    entryId: entry.id,
    code: entry.code,
    status: entry.status,
    videoId: entry.video_id,
    canonicalUrl: entry.canonical_url,
    linkStatus: entry.link_status,
    hashtagStatus: entry.hashtag_status,
    postedEarly: entry.posted_early,
    accessToken,
    replayed,
  };
}

async function limit(pool: Pool, key: string, max: number): Promise<void> {
  const c = await hit(pool, key, 3600);
  if (c.count > max) throw new TooManyRequestsError(c.retryAfterSeconds);
}

interface LinkFacts {
  canonicalUrl: string | null;
  videoId: string | null;
  linkStatus: 'ok' | 'to_verify';
  postedAt: Date | null;
  postedEarly: boolean;
}

/** Parses the link, resolves a short one when the network allows, applies the early-clip rule. */
export async function linkFacts(contest: ContestRow, input: string, tiktok: TikTokClientOptions, deadline: number): Promise<LinkFacts> {
  const parsed = parseTikTokLink(input);
  if (parsed.kind === 'invalid') throw new ValidationError({ tiktokUrl: 'entries.link.invalid' });
  let videoId: string | null = null;
  let canonicalUrl: string | null = null;
  if (parsed.kind === 'video') {
    videoId = parsed.videoId;
    canonicalUrl = parsed.canonicalUrl;
  } else {
    const r = await resolveShortLink(parsed.url, { ...tiktok, timeoutMs: Math.max(100, Math.min(tiktok.timeoutMs, deadline - Date.now())) });
    if (r.ok) {
      videoId = r.videoId;
      canonicalUrl = r.canonicalUrl;
    } else if (r.reason === 'not_a_video') {
      throw new ValidationError({ tiktokUrl: 'entries.link.invalid' });
    }
  }
  const postedAt = videoId ? postedAtFromVideoId(videoId) : null;
  const postedEarly = Boolean(postedAt && contest.opens_at && postedAt < contest.opens_at);
  if (postedEarly && contest.early_clip_policy === 'reject') throw new ValidationError({ tiktokUrl: 'entries.link.early' });
  return { canonicalUrl, videoId, linkStatus: videoId ? 'ok' : 'to_verify', postedAt, postedEarly };
}

/**
 * Takes one entry: window, link, hashtag, limits, file, number, receipt mail — all in one
 * transaction, so a crash leaves no half-written entry and a refused one leaves no file.
 * Idempotent on `idempotencyKey`: a retry returns the first receipt (a unique constraint decides
 * races, never a read-then-write).
 */
export async function submitEntry(pool: Pool, store: UploadStore, contest: ContestRow, input: SubmissionInput, ctx: SubmitContext): Promise<Receipt> {
  if (ctx.idempotencyKey) {
    const existing = await q.findEntryByIdempotencyKey(pool, contest.id, ctx.idempotencyKey);
    if (existing) return receiptOf(existing, ctx.secret, true);
  }
  if (!acceptsSubmissions(contest, ctx.now)) throw new SubmissionsClosedError();
  if (contest.upload_mode === 'required' && !ctx.upload) throw new ValidationError({ video: 'entries.video.required' });
  const upload = contest.upload_mode === 'off' ? undefined : ctx.upload;

  if (ctx.rateLimits.enabled) {
    await limit(pool, `submit:ip:${ctx.ip}`, ctx.rateLimits.perIpPerHour);
    await limit(pool, `submit:entrant:${contest.id}:${input.phone ?? input.email}`, ctx.rateLimits.perEntrantPerHour);
  }

  const deadline = Date.now() + Math.min(TIKTOK_BUDGET_MS, ctx.tiktok.timeoutMs);
  const link = await linkFacts(contest, input.tiktokUrl, ctx.tiktok, deadline);
  let hashtagStatus: 'unchecked' | 'verified' | 'missing' = 'unchecked';
  let oembed: Awaited<ReturnType<typeof fetchOEmbed>> = null;
  if (link.canonicalUrl && ctx.tiktok.enabled && deadline - Date.now() > 100) {
    oembed = await fetchOEmbed(link.canonicalUrl, { ...ctx.tiktok, timeoutMs: deadline - Date.now() });
    if (oembed && contest.hashtags.length) hashtagStatus = captionHasHashtag(oembed.title, contest.hashtags) ? 'verified' : 'missing';
  }

  // 122 random bits; randomUUID draws from a batch Node keeps, unlike randomBytes' call per salt.
  const accessSalt = randomUUID().replaceAll('-', '');
  const token = accessTokenFor(ctx.secret, 0, accessSalt);
  const t = (k: string, p?: Record<string, string | number>) => translate(ctx.lang, k, p);
  const mail = input.email
    ? {
        to: input.email,
        subject: t('entries.mail.subject', { code: q.CODE_PLACEHOLDER, contest: contest.title }),
        text: t('entries.mail.body', {
          name: input.fullName,
          code: q.CODE_PLACEHOLDER,
          title: input.title,
          contest: contest.title,
          link: `${ctx.publicUrl ?? ''}/c/${contest.slug}/my/${q.CODE_PLACEHOLDER}?t=${token}`,
        }),
      }
    : null;
  const lockKeys = [
    ctx.idempotencyKey ? `idem:${contest.id}:${ctx.idempotencyKey}` : null,
    input.email ? `entrant:${contest.id}:${input.email}` : null,
    input.phone ? `entrant:${contest.id}:${input.phone}` : null,
  ].filter((k): k is string => k !== null).sort();
  const receipt = (id: number, code: string): Receipt =>
    receiptOf(
      { id, code, status: 'received', video_id: link.videoId, canonical_url: link.canonicalUrl, link_status: link.linkStatus, hashtag_status: hashtagStatus, posted_early: link.postedEarly, access_salt: accessSalt },
      ctx.secret,
      false,
      token,
    );

  // Without a file, the locked part is one call of entries_submit() (migrations 021, 063): same
  // rules, one round trip, shared with the submissions that arrive meanwhile (submitBatcher.ts).
  if (!upload && !ctx.beforeCommit) {
    try {
      const r = await submitBatcherFor(pool).submit({
        contest_id: contest.id,
        contest_version: contest.version,
        lock_keys: lockKeys,
        idempotency_key: ctx.idempotencyKey,
        video_id: link.videoId,
        email: input.email,
        phone: input.phone,
        max_entries: contest.max_entries_per_entrant,
        full_name: input.fullName,
        display_name: input.displayName,
        date_of_birth: input.extra.dateOfBirth ?? null,
        organisation: input.extra.organisation ?? null,
        occupation: input.extra.occupation ?? null,
        province: input.extra.province ?? null,
        address: input.extra.address ?? null,
        national_id: input.extra.nationalId ?? null,
        tiktok_handle: input.extra.tiktokHandle ?? null,
        category_id: input.categoryId,
        title: input.title,
        description: input.description,
        tiktok_url_input: input.tiktokUrl,
        canonical_url: link.canonicalUrl,
        link_status: link.linkStatus,
        posted_at: link.postedAt?.toISOString() ?? null,
        posted_early: link.postedEarly,
        hashtag_status: hashtagStatus,
        hashtag_confirmed: input.hashtagConfirmed,
        caption: oembed?.title ?? null,
        tiktok_author: oembed?.authorName ?? null,
        thumbnail_url: oembed?.thumbnailUrl ?? null,
        consent_at: ctx.now.toISOString(),
        access_salt: accessSalt,
        mail,
        placeholder: q.CODE_PLACEHOLDER,
      });
      if (r.result === 'ok') return receipt(r.id as number, r.code as string);
      if (r.result === 'stale_contest') throw new StaleContestError();
      if (r.result === 'twin') {
        const twin = await q.findEntryByIdempotencyKey(pool, contest.id, ctx.idempotencyKey as string);
        if (twin) return receiptOf(twin, ctx.secret, true);
      }
      if (r.result === 'duplicate_clip') throw new ConflictError('duplicate_clip', 'entries.duplicateClip');
      if (r.result === 'entrant_limit') throw new ConflictError('entrant_limit', 'entries.limitReached', { max: contest.max_entries_per_entrant });
      throw new Error(`entries_submit answered ${JSON.stringify(r)}`);
    } catch (err) {
      if (err instanceof UniqueViolation && err.constraint === 'entries_one_clip_idx') throw new ConflictError('duplicate_clip', 'entries.duplicateClip');
      throw err;
    }
  }

  try {
    const created = await withUploadTransaction(pool, store, async (tx, place) => {
      // Twins (same idempotency key) and one entrant's concurrent submissions queue on advisory
      // locks, so the twin check and the per-entrant count below cannot race; other entrants do not wait.
      await q.advisoryLocks(tx, lockKeys);
      // A new statement after the locks: its snapshot sees whatever a twin committed meanwhile.
      const checks = await q.submissionChecks(tx, contest.id, ctx.idempotencyKey, link.videoId, input.email, input.phone);
      if (checks.twin_id !== null) {
        const twin = await q.findEntryByIdempotencyKey(tx, contest.id, ctx.idempotencyKey as string);
        if (twin) throw new Replay(twin);
      }
      if (checks.clip_taken) throw new ConflictError('duplicate_clip', 'entries.duplicateClip');
      if (checks.live >= contest.max_entries_per_entrant) {
        throw new ConflictError('entrant_limit', 'entries.limitReached', { max: contest.max_entries_per_entrant });
      }
      const entrantId = await q.insertEntrant(tx, {
        contestId: contest.id,
        fullName: input.fullName,
        displayName: input.displayName,
        email: input.email,
        phone: input.phone,
        dateOfBirth: input.extra.dateOfBirth ?? null,
        organisation: input.extra.organisation ?? null,
        occupation: input.extra.occupation ?? null,
        province: input.extra.province ?? null,
        address: input.extra.address ?? null,
        nationalId: input.extra.nationalId ?? null,
        tiktokHandle: input.extra.tiktokHandle ?? null,
      });
      const file = upload ? await place(upload, 'entry_video') : null;
      // The unique clip index decides a race with another entrant sending the same clip.
      const entry = await q.insertEntry(tx, {
        contestId: contest.id,
        entrantId,
        categoryId: input.categoryId,
        title: input.title,
        description: input.description,
        tiktokUrlInput: input.tiktokUrl,
        canonicalUrl: link.canonicalUrl,
        videoId: link.videoId,
        linkStatus: link.linkStatus,
        postedAt: link.postedAt,
        postedEarly: link.postedEarly,
        hashtagStatus,
        hashtagConfirmed: input.hashtagConfirmed,
        caption: oembed?.title ?? null,
        tiktokAuthor: oembed?.authorName ?? null,
        thumbnailUrl: oembed?.thumbnailUrl ?? null,
        videoFileId: file?.id ?? null,
        consentAt: ctx.now,
        idempotencyKey: ctx.idempotencyKey,
        accessSalt,
      });
      const code = entry.code;
      if (mail) {
        const fill = (text: string) => text.split(q.CODE_PLACEHOLDER).join(code);
        await enqueueMail(tx, { kind: 'entry_receipt', to: mail.to, subject: fill(mail.subject), text: fill(mail.text), contestId: contest.id });
      }
      if (ctx.beforeCommit) await ctx.beforeCommit(tx);
      return { id: entry.id, access_salt: entry.access_salt, code };
    });
    return receiptOf(
      {
        id: created.id,
        code: created.code,
        status: 'received',
        video_id: link.videoId,
        canonical_url: link.canonicalUrl,
        link_status: link.linkStatus,
        hashtag_status: hashtagStatus,
        posted_early: link.postedEarly,
        access_salt: created.access_salt,
      },
      ctx.secret,
      false,
    );
  } catch (err) {
    if (err instanceof Replay) return receiptOf(err.entry, ctx.secret, true);
    if (err instanceof UniqueViolation) {
      // A concurrent twin with the same key won: answer with its receipt.
      if (ctx.idempotencyKey) {
        const existing = await q.findEntryByIdempotencyKey(pool, contest.id, ctx.idempotencyKey);
        if (existing) return receiptOf(existing, ctx.secret, true);
      }
      if (err.constraint === 'entries_one_clip_idx') throw new ConflictError('duplicate_clip', 'entries.duplicateClip');
    }
    throw err;
  }
}

/** Corrections by the entrant, until the deadline (grace included); read-only after. */
export async function correctEntry(
  pool: Pool,
  contest: ContestRow,
  entry: q.EntryRow,
  input: { title: string; description: string; tiktokUrl: string },
  ctx: { now: Date; tiktok: TikTokClientOptions },
): Promise<void> {
  if (!acceptsCorrections(contest, ctx.now)) throw new SubmissionsClosedError();
  if (entry.status === 'withdrawn') throw new ConflictError('withdrawn', 'entries.alreadyWithdrawn');
  const sameLink = input.tiktokUrl === entry.tiktok_url_input;
  const link: LinkFacts = sameLink
    ? { canonicalUrl: entry.canonical_url, videoId: entry.video_id, linkStatus: entry.link_status === 'ok' ? 'ok' : 'to_verify', postedAt: entry.posted_at, postedEarly: entry.posted_early }
    : await linkFacts(contest, input.tiktokUrl, ctx.tiktok, Date.now() + Math.min(TIKTOK_BUDGET_MS, ctx.tiktok.timeoutMs));
  try {
    await withTransaction(pool, async (tx) => {
      await q.updateEntryDetails(tx, entry.id, { title: input.title, description: input.description, tiktokUrlInput: input.tiktokUrl, ...link });
      await recordAudit(tx, entrantActor(entry.code), {
        action: 'entry.corrected',
        subjectType: 'entry',
        subjectId: entry.id,
        contestId: contest.id,
        before: { title: entry.title, tiktokUrl: entry.tiktok_url_input },
        after: { title: input.title, tiktokUrl: input.tiktokUrl },
      });
    });
  } catch (err) {
    if (err instanceof UniqueViolation && err.constraint === 'entries_one_clip_idx') throw new ConflictError('duplicate_clip', 'entries.duplicateClip');
    throw err;
  }
}

/** The entrant replaces the original file before the deadline; the old file goes after COMMIT. */
export async function replaceEntryFile(pool: Pool, store: UploadStore, contest: ContestRow, entry: q.EntryRow, upload: ReceivedFile | undefined, now: Date): Promise<void> {
  if (!acceptsCorrections(contest, now)) throw new SubmissionsClosedError();
  if (entry.status === 'withdrawn') throw new ConflictError('withdrawn', 'entries.alreadyWithdrawn');
  if (contest.upload_mode === 'off') throw new ValidationError({ video: 'form.invalid' });
  if (!upload) throw new ValidationError({ video: 'entries.video.required' });
  const old = await withUploadTransaction(pool, store, async (tx, place) => {
    const file = await place(upload, 'entry_video');
    const previous = await q.setEntryFile(tx, entry.id, file.id);
    await recordAudit(tx, entrantActor(entry.code), { action: 'entry.file_replaced', subjectType: 'entry', subjectId: entry.id, contestId: contest.id, before: { fileId: previous?.id ?? null }, after: { fileId: file.id } });
    return previous;
  });
  if (old) await deleteStoredFileData(store, old);
}

export function entrantActor(code: string): Actor {
  return { id: null, label: `entrant ${code}` };
}

/** Withdrawal by the entrant, until the deadline: through the one status function. */
export async function withdrawEntry(pool: Pool, contest: ContestRow, entry: q.EntryRow, now: Date): Promise<void> {
  if (!acceptsCorrections(contest, now)) throw new SubmissionsClosedError();
  await withTransaction(pool, (tx) => changeEntryStatus(tx, { entryId: entry.id, to: 'withdrawn', actor: entrantActor(entry.code), note: null }));
}

export function submissionsEnd(contest: ContestRow): Date | null {
  return submissionsEndAt(contest);
}
