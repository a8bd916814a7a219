import type { Queryable } from '../db';
import { maybeOne, one, rows, execute } from '../db';
import type { EntryStatus } from './states';

/** Named SQL for entries and their entrants. Explicit columns, $n parameters, typed rows. */

export interface EntryRow {
  id: number;
  contest_id: number;
  entrant_id: number;
  seq: number;
  code: string;
  category_id: number | null;
  title: string;
  description: string;
  tiktok_url_input: string;
  canonical_url: string | null;
  video_id: string | null;
  link_status: 'ok' | 'to_verify' | 'failed';
  link_attempts: number;
  posted_at: Date | null;
  posted_early: boolean;
  hashtag_status: 'unchecked' | 'verified' | 'missing';
  hashtag_confirmed: boolean;
  caption: string | null;
  tiktok_author: string | null;
  thumbnail_url: string | null;
  video_file_id: number | null;
  status: EntryStatus;
  screening_note: string | null;
  screening_reason: string | null;
  consent_at: Date;
  consent_rules_version: number;
  idempotency_key: string | null;
  access_salt: string;
  created_at: Date;
  updated_at: Date;
  withdrawn_at: Date | null;
  category_name: string | null;
}

const ENTRY_COLUMNS = `e.id, e.contest_id, e.entrant_id, e.seq, e.code, e.category_id, e.title, e.description, e.tiktok_url_input,
  e.canonical_url, e.video_id, e.link_status, e.link_attempts, e.posted_at, e.posted_early, e.hashtag_status, e.hashtag_confirmed,
  e.caption, e.tiktok_author, e.thumbnail_url, e.video_file_id, e.status, e.screening_note, sr.label AS screening_reason,
  e.consent_at, e.consent_rules_version, e.idempotency_key, e.access_salt, e.created_at, e.updated_at, e.withdrawn_at,
  c.name AS category_name`;
const ENTRY_FROM = `entries e LEFT JOIN categories c ON c.id = e.category_id LEFT JOIN screening_reasons sr ON sr.id = e.screening_reason_id`;

export interface EntrantRow {
  id: number;
  full_name: string;
  display_name: string | null;
  email: string | null;
  phone_e164: string | null;
  date_of_birth: string | null;
  organisation: string | null;
  occupation: string | null;
  province: string | null;
  address: string | null;
  national_id: string | null;
  tiktok_handle: string | null;
}

const ENTRANT_COLUMNS = `id, full_name, display_name, email::text AS email, phone_e164, to_char(date_of_birth, 'YYYY-MM-DD') AS date_of_birth,
  organisation, occupation, province, address, national_id, tiktok_handle`;

export function findEntryByCode(q: Queryable, contestId: number, code: string): Promise<EntryRow | undefined> {
  return maybeOne<EntryRow>(q, `SELECT ${ENTRY_COLUMNS} FROM ${ENTRY_FROM} WHERE e.contest_id = $1 AND e.code = $2`, [contestId, code]);
}

export function findEntryByIdempotencyKey(q: Queryable, contestId: number, key: string): Promise<EntryRow | undefined> {
  return maybeOne<EntryRow>(q, `SELECT ${ENTRY_COLUMNS} FROM ${ENTRY_FROM} WHERE e.contest_id = $1 AND e.idempotency_key = $2`, [contestId, key]);
}

export function findEntrant(q: Queryable, id: number): Promise<EntrantRow | undefined> {
  return maybeOne<EntrantRow>(q, `SELECT ${ENTRANT_COLUMNS} FROM entrants WHERE id = $1`, [id]);
}

/** The entry whose code and contact (email or E.164 phone) both match; nothing otherwise. */
export function findEntryByCodeAndContact(q: Queryable, contestId: number, code: string, email: string | null, phone: string | null): Promise<EntryRow | undefined> {
  return maybeOne<EntryRow>(
    q,
    `SELECT ${ENTRY_COLUMNS} FROM ${ENTRY_FROM} JOIN entrants p ON p.id = e.entrant_id
      WHERE e.contest_id = $1 AND e.code = $2 AND ((p.email = $3::citext) OR (p.phone_e164 = $4))`,
    [contestId, code, email, phone],
  );
}

/**
 * Transaction-scoped locks on text keys (released at COMMIT/ROLLBACK), taken in the given order
 * in one round trip: a function scan with ordinality runs row by row, in array order.
 */
export async function advisoryLocks(tx: Queryable, sortedKeys: string[]): Promise<void> {
  if (!sortedKeys.length) return;
  await rows(tx, 'SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest($1::text[]) WITH ORDINALITY AS u(k, i)', [sortedKeys]);
}

/** The three refusals decided before writing, in one round trip. */
export function submissionChecks(
  tx: Queryable,
  contestId: number,
  idempotencyKey: string | null,
  videoId: string | null,
  email: string | null,
  phone: string | null,
): Promise<{ twin_id: number | null; clip_taken: boolean; live: number }> {
  return one(
    tx,
    `SELECT (SELECT id FROM entries WHERE contest_id = $1 AND idempotency_key = $2) AS twin_id,
            EXISTS (SELECT 1 FROM entries WHERE contest_id = $1 AND video_id = $3 AND status <> 'withdrawn') AS clip_taken,
            entrant_live_entries($1, $4::citext, $5) AS live`,
    [contestId, idempotencyKey, videoId, email, phone],
  );
}

export interface SubmitAnswer {
  result: string;
  id?: number;
  code?: string;
}

/** The whole locked part of a submission without a file, in one call (migrations 021, 063). */
export async function submitInOneCall(q: Queryable, payload: Record<string, unknown>): Promise<SubmitAnswer> {
  const r = await one<{ r: SubmitAnswer }>(q, 'SELECT entries_submit($1::jsonb) AS r', [JSON.stringify(payload)]);
  return r.r;
}

/** Several submissions in one call and one transaction, answered in order (migration 064). */
export async function submitBatch(q: Queryable, payloads: Record<string, unknown>[]): Promise<SubmitAnswer[]> {
  const r = await one<{ r: SubmitAnswer[] }>(q, 'SELECT entries_submit_batch($1::jsonb) AS r', [JSON.stringify(payloads)]);
  return r.r;
}

/** Stands for the entry code in the receipt mail, written before the number is known. */
export const CODE_PLACEHOLDER = '{{ENTRY_CODE}}';

export interface NewEntrant {
  contestId: number;
  fullName: string;
  displayName: string;
  email: string | null;
  phone: string | null;
  dateOfBirth: string | null;
  organisation: string | null;
  occupation: string | null;
  province: string | null;
  address: string | null;
  nationalId: string | null;
  tiktokHandle: string | null;
}

export async function insertEntrant(tx: Queryable, p: NewEntrant): Promise<number> {
  const r = await one<{ id: number }>(
    tx,
    `INSERT INTO entrants (contest_id, full_name, display_name, email, phone_e164, date_of_birth, organisation, occupation, province, address, national_id, tiktok_handle)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
    [p.contestId, p.fullName, p.displayName, p.email, p.phone, p.dateOfBirth, p.organisation, p.occupation, p.province, p.address, p.nationalId, p.tiktokHandle],
  );
  return r.id;
}

export interface NewEntry {
  contestId: number;
  entrantId: number;
  categoryId: number | null;
  title: string;
  description: string;
  tiktokUrlInput: string;
  canonicalUrl: string | null;
  videoId: string | null;
  linkStatus: 'ok' | 'to_verify';
  postedAt: Date | null;
  postedEarly: boolean;
  hashtagStatus: 'unchecked' | 'verified' | 'missing';
  hashtagConfirmed: boolean;
  caption: string | null;
  tiktokAuthor: string | null;
  thumbnailUrl: string | null;
  videoFileId: number | null;
  consentAt: Date;
  idempotencyKey: string | null;
  accessSalt: string;
}

/**
 * Writes the entry once, with the contest's next number (migration 060) and the rules version in
 * force as the one consented to.
 */
export async function insertEntry(tx: Queryable, e: NewEntry): Promise<{ id: number; access_salt: string; code: string }> {
  return one(
    tx,
    `WITH n AS (SELECT next_entry_number($1) AS seq)
     INSERT INTO entries (contest_id, entrant_id, seq, code, category_id, title, description, tiktok_url_input, canonical_url, video_id,
                          link_status, link_checked_at, posted_at, posted_early, hashtag_status, hashtag_confirmed, caption, tiktok_author,
                          thumbnail_url, video_file_id, consent_at, consent_rules_version, idempotency_key, access_salt)
     SELECT $1, $2, n.seq, entry_code(c.code_prefix, n.seq), $3, $4, $5, $6, $7, $8, $9, CASE WHEN $9 = 'ok' THEN now() END, $10, $11, $12, $13,
            $14, $15, $16, $17, $18, c.rules_version, $19, $20
       FROM n, contests c WHERE c.id = $1
     RETURNING id, access_salt, code`,
    [
      e.contestId, e.entrantId, e.categoryId, e.title, e.description, e.tiktokUrlInput, e.canonicalUrl, e.videoId,
      e.linkStatus, e.postedAt, e.postedEarly, e.hashtagStatus, e.hashtagConfirmed, e.caption, e.tiktokAuthor, e.thumbnailUrl,
      e.videoFileId, e.consentAt, e.idempotencyKey, e.accessSalt,
    ],
  );
}

export function categoryIdsOf(q: Queryable, contestId: number): Promise<{ id: number; name: string }[]> {
  return rows(q, 'SELECT id, name FROM categories WHERE contest_id = $1 ORDER BY position, id', [contestId]);
}

export async function updateEntryDetails(tx: Queryable, entryId: number, d: { title: string; description: string; tiktokUrlInput: string; canonicalUrl: string | null; videoId: string | null; linkStatus: 'ok' | 'to_verify'; postedAt: Date | null; postedEarly: boolean }): Promise<void> {
  await execute(
    tx,
    `UPDATE entries SET title = $2, description = $3, tiktok_url_input = $4, canonical_url = $5, video_id = $6, link_status = $7,
            posted_at = $8, posted_early = $9, updated_at = now(),
            link_attempts = CASE WHEN tiktok_url_input = $4 THEN link_attempts ELSE 0 END
      WHERE id = $1`,
    [entryId, d.title, d.description, d.tiktokUrlInput, d.canonicalUrl, d.videoId, d.linkStatus, d.postedAt, d.postedEarly],
  );
}

/** Points the entry at a new file and deletes the old file's row; returns it (its data goes after COMMIT). */
export async function setEntryFile(tx: Queryable, entryId: number, fileId: number): Promise<{ id: number; storage_key: string } | undefined> {
  const prev = await maybeOne<{ id: number; storage_key: string }>(
    tx,
    `SELECT f.id, f.storage_key FROM entries e JOIN stored_files f ON f.id = e.video_file_id WHERE e.id = $1 FOR UPDATE OF e`,
    [entryId],
  );
  await execute(tx, 'UPDATE entries SET video_file_id = $2, updated_at = now() WHERE id = $1', [entryId, fileId]);
  if (prev) await execute(tx, 'DELETE FROM stored_files WHERE id = $1', [prev.id]);
  return prev;
}

/** Entries whose short link could not be resolved yet, oldest first. */
export function entriesToVerify(q: Queryable, limit: number): Promise<{ id: number; contest_id: number; tiktok_url_input: string; link_attempts: number }[]> {
  return rows(q, `SELECT id, contest_id, tiktok_url_input, link_attempts FROM entries WHERE link_status = 'to_verify' AND status <> 'withdrawn' ORDER BY link_checked_at NULLS FIRST, id LIMIT $1`, [limit]);
}

// ---------- public gallery ----------

export interface GalleryItem {
  id: number;
  code: string;
  title: string;
  video_id: string | null;
  display_name: string | null;
  category_name: string | null;
  created_at: Date;
  thumbnail_url: string | null;
  organisation: string | null;
  province: string | null;
  views?: string | number;
}

/**
 * Eligible entries (and later stages), newest first or most viewed first (latest imported
 * snapshot), keyset-paginated on (created_at, id) or (views, id): no OFFSET.
 */
export function galleryPage(
  q: Queryable,
  contestId: number,
  o: { search: string; categoryId: number | null; sort: 'newest' | 'views'; after: { key: string; id: number } | null; limit: number },
): Promise<GalleryItem[]> {
  const byViews = o.sort === 'views';
  return rows<GalleryItem>(
    q,
    `SELECT e.id, e.code, e.title, e.video_id, p.display_name, c.name AS category_name, e.created_at, e.thumbnail_url, p.organisation, p.province,
            coalesce(v.views, 0) AS views
       FROM entries e JOIN entrants p ON p.id = e.entrant_id LEFT JOIN categories c ON c.id = e.category_id
       LEFT JOIN LATERAL (SELECT views FROM metric_snapshots ms WHERE ms.entry_id = e.id ORDER BY captured_at DESC LIMIT 1) v ON true
      WHERE e.contest_id = $1 AND e.status IN ('eligible', 'shortlisted', 'awarded')
        AND ($2 = '' OR e.search_text LIKE '%' || $2 || '%' OR lower(f_unaccent(coalesce(p.display_name, ''))) LIKE '%' || $2 || '%')
        AND ($3::bigint IS NULL OR e.category_id = $3)
        AND ($4::text IS NULL OR ${byViews ? '(coalesce(v.views, 0), e.id) < ($4::bigint, $5::bigint)' : '(e.created_at, e.id) < ($4::timestamptz, $5::bigint)'})
      ORDER BY ${byViews ? 'coalesce(v.views, 0) DESC' : 'e.created_at DESC'}, e.id DESC
      LIMIT $6`,
    [contestId, o.search, o.categoryId, o.after?.key ?? null, o.after?.id ?? null, o.limit],
  );
}

export function galleryEntry(q: Queryable, contestId: number, code: string): Promise<GalleryItem & { description: string } | undefined> {
  return maybeOne(
    q,
    `SELECT e.id, e.code, e.title, e.description, e.video_id, p.display_name, c.name AS category_name, e.created_at, e.thumbnail_url, p.organisation, p.province
       FROM entries e JOIN entrants p ON p.id = e.entrant_id LEFT JOIN categories c ON c.id = e.category_id
      WHERE e.contest_id = $1 AND e.code = $2 AND e.status IN ('eligible', 'shortlisted', 'awarded')`,
    [contestId, code],
  );
}

// ---------- organiser list ----------

export interface OrganiserListItem {
  id: number;
  code: string;
  title: string;
  status: EntryStatus;
  link_status: string;
  hashtag_status: string;
  posted_early: boolean;
  video_id: string | null;
  created_at: Date;
  full_name: string;
  email: string | null;
  phone_e164: string | null;
  category_name: string | null;
  has_file: boolean;
}

export async function organiserEntries(
  q: Queryable,
  contestId: number,
  f: { search: string; status: string; link: string; hashtag: string; limit: number; offset: number },
): Promise<{ items: OrganiserListItem[]; total: number }> {
  const where = `e.contest_id = $1 AND ($2 = '' OR e.status = $2) AND ($3 = '' OR e.link_status = $3) AND ($4 = '' OR e.hashtag_status = $4)
        AND ($5 = '' OR e.search_text LIKE '%' || $5 || '%' OR lower(f_unaccent(p.full_name)) LIKE '%' || $5 || '%' OR p.email = $6::citext OR p.phone_e164 = $6)`;
  const params = [contestId, f.status, f.link, f.hashtag, f.search ? foldSearch(f.search) : '', f.search || null];
  const items = await rows<OrganiserListItem>(
    q,
    `SELECT e.id, e.code, e.title, e.status, e.link_status, e.hashtag_status, e.posted_early, e.video_id, e.created_at,
            p.full_name, p.email::text AS email, p.phone_e164, c.name AS category_name, e.video_file_id IS NOT NULL AS has_file
       FROM entries e JOIN entrants p ON p.id = e.entrant_id LEFT JOIN categories c ON c.id = e.category_id
      WHERE ${where}
      ORDER BY e.seq DESC LIMIT $7 OFFSET $8`,
    [...params, f.limit, f.offset],
  );
  const total = await one<{ n: number }>(q, `SELECT count(*)::int AS n FROM entries e JOIN entrants p ON p.id = e.entrant_id WHERE ${where}`, params);
  return { items, total: total.n };
}

/** Search terms are folded like the stored search_text: lower case, no diacritics (đ → d). */
export function foldSearch(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').toLowerCase().replace(/[%_\\]/g, '').trim();
}

// ---------- outbox ----------

export interface OutboxRow {
  id: number;
  kind: string;
  to_address: string;
  subject: string;
  text_body: string;
  status: string;
  attempts: number;
  last_error: string | null;
  created_at: Date;
  sent_at: Date | null;
}

export function outboxPage(q: Queryable, limit: number, offset: number): Promise<OutboxRow[]> {
  return rows(q, `SELECT id, kind, to_address, subject, text_body, status, attempts, last_error, created_at, sent_at FROM outbox ORDER BY id DESC LIMIT $1 OFFSET $2`, [limit, offset]);
}

// ---------- the entrant's own page: details and one-time sign-in links ----------

/** What the entrant may correct: everything of NewEntrant but the contest and the full name. */
export type EntrantDetailsChange = Omit<NewEntrant, 'contestId' | 'fullName'>;

/** The entrant row behind one entry, locked until COMMIT (two corrections at once apply in turn). */
export function lockEntrantOfEntry(tx: Queryable, entryId: number): Promise<EntrantRow | undefined> {
  return maybeOne<EntrantRow>(
    tx,
    `SELECT ${ENTRANT_COLUMNS} FROM entrants WHERE id = (SELECT entrant_id FROM entries WHERE id = $1) FOR UPDATE`,
    [entryId],
  );
}

/** Writes every correctable detail at once; an empty display name falls back to the full name. */
export async function updateEntrantDetails(tx: Queryable, entrantId: number, d: EntrantDetailsChange): Promise<void> {
  await execute(
    tx,
    `UPDATE entrants SET display_name = COALESCE(NULLIF($2, ''), full_name), email = $3, phone_e164 = $4, date_of_birth = $5::date,
            organisation = $6, occupation = $7, province = $8, address = $9, national_id = $10, tiktok_handle = $11, updated_at = now()
      WHERE id = $1`,
    [entrantId, d.displayName, d.email, d.phone, d.dateOfBirth, d.organisation, d.occupation, d.province, d.address, d.nationalId, d.tiktokHandle],
  );
}

/** Live entries of the contest, other than `entryId`, whose entrant has this email or this phone. */
export async function liveEntriesOfContactExcept(q: Queryable, contestId: number, entryId: number, email: string | null, phone: string | null): Promise<number> {
  const r = await one<{ n: number }>(
    q,
    `SELECT count(*)::int AS n FROM entries e JOIN entrants p ON p.id = e.entrant_id
      WHERE e.contest_id = $1 AND e.id <> $2 AND e.status <> 'withdrawn' AND (p.email = $3::citext OR p.phone_e164 = $4)`,
    [contestId, entryId, email, phone],
  );
  return r.n;
}

/** The entry of this contest with this code whose entrant used this email; nothing otherwise. */
export function findEntryIdByCodeAndEmail(q: Queryable, contestId: number, code: string, email: string): Promise<{ id: number } | undefined> {
  return maybeOne(q, `SELECT e.id FROM entries e JOIN entrants p ON p.id = e.entrant_id WHERE e.contest_id = $1 AND e.code = $2 AND p.email = $3::citext`, [contestId, code, email]);
}

/** Whether any entry of the contest was sent with this email. */
export async function contestHasEntrantEmail(q: Queryable, contestId: number, email: string): Promise<boolean> {
  const r = await one<{ found: boolean }>(q, 'SELECT EXISTS (SELECT 1 FROM entrants WHERE contest_id = $1 AND email = $2::citext) AS found', [contestId, email]);
  return r.found;
}

/** A new link, good for `minutes` by the database clock (the one that judges it when used). */
export function insertSignInLink(tx: Queryable, l: { contestId: number; email: string; entryId: number | null; tokenHash: string; minutes: number }): Promise<{ id: number }> {
  return one(
    tx,
    `INSERT INTO entrant_sign_in_links (contest_id, email, entry_id, token_hash, expires_at)
     VALUES ($1, $2, $3, $4, now() + make_interval(mins => $5)) RETURNING id`,
    [l.contestId, l.email, l.entryId, l.tokenHash, l.minutes],
  );
}

/** Whether a link can still be used (the confirmation page reads, it does not consume). */
export async function signInLinkUsable(q: Queryable, contestId: number, tokenHash: string): Promise<boolean> {
  const r = await one<{ ok: boolean }>(
    q,
    'SELECT EXISTS (SELECT 1 FROM entrant_sign_in_links WHERE contest_id = $1 AND token_hash = $2 AND used_at IS NULL AND expires_at > now()) AS ok',
    [contestId, tokenHash],
  );
  return r.ok;
}

/**
 * Uses a link up, in one statement: of two clicks at once exactly one gets the row. Answers the
 * entry the link names (if any) and the entries of the link's email in the link's contest, or
 * nothing when the link is unknown, used, expired or from another contest.
 */
export async function consumeSignInLink(q: Queryable, contestId: number, tokenHash: string): Promise<{ named: number | null; entries: { id: number; code: string }[] } | undefined> {
  return maybeOne(
    q,
    `WITH used AS (
       UPDATE entrant_sign_in_links SET used_at = now()
        WHERE contest_id = $1 AND token_hash = $2 AND used_at IS NULL AND expires_at > now()
        RETURNING contest_id, email, entry_id
     )
     SELECT u.entry_id AS named,
            coalesce((SELECT jsonb_agg(jsonb_build_object('id', e.id, 'code', e.code) ORDER BY e.seq)
                        FROM entries e JOIN entrants p ON p.id = e.entrant_id
                       WHERE e.contest_id = u.contest_id AND p.email = u.email), '[]'::jsonb) AS entries
       FROM used u`,
    [contestId, tokenHash],
  );
}

/** Links a day past their expiry are of no use to anyone. */
export function purgeOldSignInLinks(q: Queryable): Promise<number> {
  return execute(q, "DELETE FROM entrant_sign_in_links WHERE expires_at < now() - interval '1 day'");
}

export interface OwnEntryListItem {
  id: number;
  code: string;
  title: string;
  status: EntryStatus;
}

/** The entries of one contest among those this browser may see, in number order. */
export function ownEntriesOf(q: Queryable, contestId: number, entryIds: number[]): Promise<OwnEntryListItem[]> {
  return rows(q, 'SELECT id, code, title, status FROM entries WHERE contest_id = $1 AND id = ANY($2::bigint[]) ORDER BY seq', [contestId, entryIds]);
}
