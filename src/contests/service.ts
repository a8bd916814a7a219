import type { Pool } from 'pg';
import type { Queryable, Tx } from '../db';
import { UniqueViolation, withTransaction } from '../db';
import { recordAudit, type Actor } from '../audit/service';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../http/errors';
import type { UploadStore } from '../storage/store';
import { deleteStoredFileData, findStoredFile, withUploadTransaction } from '../storage/files';
import type { ReceivedFile } from '../storage/upload';
import { changeContestState } from './lifecycle';
import { contestPhase } from './phase';
import * as q from './queries';
import type { ContestRow } from './queries';
import type { ContestAction, ContestInput } from './schemas';

function toWrite(i: ContestInput): q.ContestWrite {
  return {
    slug: i.slug,
    title: i.title,
    summary: i.summary,
    rules_md: i.rulesMd,
    hashtags: i.hashtags,
    time_zone: i.timeZone,
    opens_at: i.opensAt,
    closes_at: i.closesAt,
    grace_minutes: i.graceMinutes,
    ceremony_at: i.ceremonyAt,
    ceremony_place: i.ceremonyPlace,
    organiser_name: i.organiserName,
    code_prefix: i.codePrefix,
    max_entries_per_entrant: i.maxEntriesPerEntrant,
    early_clip_policy: i.earlyClipPolicy,
    entrant_fields: i.entrantFields,
    min_age: i.minAge,
    public_fields: i.publicFields,
    upload_mode: i.uploadMode,
    max_upload_mb: i.maxUploadMb,
  };
}

const slugTakenError = () => new ValidationError({ slug: 'contests.slugTaken' });

/** Categories and prize tiers as the form lists them: rows kept by id, new rows added, missing rows removed. */
async function saveCategoriesAndPrizes(tx: Tx, contestId: number, input: ContestInput): Promise<void> {
  const catIds: number[] = [];
  const idByName = new Map<string, number>();
  // Rows that disappeared from the form go first, so a renamed row may take a freed name.
  const keptCatIds = input.categories.map((c) => c.id).filter((x): x is number => x !== null);
  const existing = await q.listCategories(tx, contestId);
  const removed = existing.filter((c) => !keptCatIds.includes(c.id)).map((c) => c.id);
  if (removed.length) {
    const used = await q.categoriesInUse(tx, removed);
    if (used.length) throw new ConflictError('category_in_use', 'contests.categoryInUse', { name: used.map((u) => u.name).join(', ') });
  }
  await q.deleteCategoriesExcept(tx, contestId, keptCatIds);
  // Two passes avoid a transient UNIQUE(contest_id, name) clash when two names are swapped.
  for (const [i, c] of input.categories.entries()) {
    if (c.id) await tx.query('UPDATE categories SET name = $3 WHERE id = $1 AND contest_id = $2', [c.id, contestId, `~${c.id}~${i}`]);
  }
  for (const [i, c] of input.categories.entries()) {
    const id = await q.upsertCategory(tx, contestId, { id: c.id, name: c.name, description: c.description, position: i + 1 });
    catIds.push(id);
    idByName.set(c.name, id);
  }

  const keptPrizeIds = input.prizes.map((p) => p.id).filter((x): x is number => x !== null);
  const existingPrizes = await q.listPrizeTiers(tx, contestId);
  const removedPrizes = existingPrizes.filter((p) => !keptPrizeIds.includes(p.id)).map((p) => p.id);
  if (removedPrizes.length) {
    const awarded = await q.prizeTiersAwarded(tx, removedPrizes);
    if (awarded.length) throw new ConflictError('prize_awarded', 'contests.prizeAwarded', { name: awarded.map((a) => a.name).join(', ') });
  }
  await q.deletePrizeTiersExcept(tx, contestId, keptPrizeIds);
  for (const [i, p] of input.prizes.entries()) {
    await q.upsertPrizeTier(tx, contestId, {
      id: p.id,
      name: p.name,
      count: p.count,
      position: i + 1,
      categoryId: p.categoryName ? (idByName.get(p.categoryName) ?? null) : null,
      decidedBy: p.decidedBy,
    });
  }
}

const auditView = (c: q.ContestWrite | ContestRow) => ({
  slug: c.slug,
  title: c.title,
  opens_at: c.opens_at,
  closes_at: c.closes_at,
  grace_minutes: c.grace_minutes,
  time_zone: c.time_zone,
  code_prefix: c.code_prefix,
});

export async function createContest(pool: Pool, input: ContestInput, actor: Actor): Promise<ContestRow> {
  try {
    return await withTransaction(pool, async (tx) => {
      if (await q.slugTaken(tx, input.slug, null)) throw slugTakenError();
      const w = toWrite(input);
      const id = await q.insertContest(tx, w, actor.id);
      await saveCategoriesAndPrizes(tx, id, input);
      await recordAudit(tx, actor, { action: 'contest.created', subjectType: 'contest', subjectId: id, contestId: id, after: auditView(w) });
      return (await q.findContestById(tx, id)) as ContestRow;
    });
  } catch (err) {
    if (err instanceof UniqueViolation) throw slugTakenError();
    throw err;
  }
}

const sameTime = (a: Date | null, b: Date | null) => (a?.getTime() ?? null) === (b?.getTime() ?? null);

export function windowChanged(before: Pick<ContestRow, 'opens_at' | 'closes_at' | 'grace_minutes' | 'time_zone'>, after: q.ContestWrite): boolean {
  return !sameTime(before.opens_at, after.opens_at) || !sameTime(before.closes_at, after.closes_at) || before.grace_minutes !== after.grace_minutes;
}

/**
 * Saves the form. Moving the submission window of a contest that already has entries changes
 * what entrants were promised: it needs `confirmWindowChange` and leaves its own audit record.
 */
export async function updateContest(pool: Pool, id: number, input: ContestInput, actor: Actor, opts: { confirmWindowChange?: boolean } = {}): Promise<ContestRow> {
  try {
    return await withTransaction(pool, async (tx) => {
      const before = await q.lockContest(tx, id);
      if (!before) throw new NotFoundError('contest_not_found');
      if (await q.slugTaken(tx, input.slug, id)) throw slugTakenError();
      const w = toWrite(input);
      const moved = windowChanged(before, w);
      if (moved) {
        const entries = await q.countAllEntries(tx, id);
        if (entries > 0 && !opts.confirmWindowChange) {
          throw new ConflictError('window_change_unconfirmed', 'contests.windowConfirm', { n: entries });
        }
      }
      if (before.code_prefix !== w.code_prefix && (await q.countAllEntries(tx, id)) > 0) {
        throw new ValidationError({ code_prefix: 'contests.prefixLocked' });
      }
      await q.updateContestRow(tx, id, w, before.rules_md !== w.rules_md && before.state !== 'draft');
      await saveCategoriesAndPrizes(tx, id, input);
      await recordAudit(tx, actor, { action: 'contest.updated', subjectType: 'contest', subjectId: id, contestId: id, before: auditView(before), after: auditView(w) });
      if (moved) {
        await recordAudit(tx, actor, {
          action: 'contest.window_changed',
          subjectType: 'contest',
          subjectId: id,
          contestId: id,
          before: { opens_at: before.opens_at, closes_at: before.closes_at, grace_minutes: before.grace_minutes },
          after: { opens_at: w.opens_at, closes_at: w.closes_at, grace_minutes: w.grace_minutes },
          reason: opts.confirmWindowChange ? 'confirmed by organiser' : null,
        });
      }
      return (await q.findContestById(tx, id)) as ContestRow;
    });
  } catch (err) {
    if (err instanceof UniqueViolation) throw slugTakenError();
    throw err;
  }
}

/**
 * The organiser's lifecycle buttons. Each checks what the dates and the entries allow, then goes
 * through changeContestState (transition check, write and audit) in one transaction.
 */
export async function applyContestAction(pool: Pool, id: number, action: ContestAction, actor: Actor, now = new Date()) {
  return withTransaction(pool, async (tx) => {
    const c = await q.lockContest(tx, id);
    if (!c) throw new NotFoundError('contest_not_found');
    const phase = contestPhase(c, now);
    switch (action) {
      case 'publish':
        if (c.state !== 'draft') throw refused(c.state, 'published');
        if (!c.opens_at || !c.closes_at) throw new ConflictError('window_missing', 'contests.publishNeedsWindow');
        if (!c.hashtags.length) throw new ConflictError('hashtag_missing', 'contests.publishNeedsHashtag');
        return changeContestState(tx, { contestId: id, to: 'published', actor });
      case 'unpublish':
        if (c.state !== 'published') throw refused(c.state, 'draft');
        if ((await q.countAllEntries(tx, id)) > 0) throw new ConflictError('has_entries', 'contests.unpublishHasEntries');
        return changeContestState(tx, { contestId: id, to: 'draft', actor });
      case 'start_judging':
        if (c.state !== 'published') throw refused(c.state, 'judging');
        if (phase !== 'closed') throw new ConflictError('still_open', 'contests.judgingNeedsClosed');
        return changeContestState(tx, { contestId: id, to: 'judging', actor });
      case 'archive':
        if (c.state !== 'results_published') throw refused(c.state, 'archived');
        return changeContestState(tx, { contestId: id, to: 'archived', actor });
    }
  });
}

const refused = (from: string, to: string) => new ConflictError('invalid_transition', 'contests.invalidTransition', { from, to });

/** Which buttons the organiser sees (the service checks again). */
export function availableActions(c: ContestRow, entryCount: number, now = new Date()): ContestAction[] {
  const phase = contestPhase(c, now);
  const out: ContestAction[] = [];
  if (c.state === 'draft') out.push('publish');
  if (c.state === 'published' && entryCount === 0) out.push('unpublish');
  if (c.state === 'published' && phase === 'closed') out.push('start_judging');
  if (c.state === 'results_published') out.push('archive');
  return out;
}

/** Replaces the banner: the new file is placed and recorded in one transaction, the old file removed after. */
export async function setContestBanner(pool: Pool, store: UploadStore, id: number, file: ReceivedFile, actor: Actor): Promise<void> {
  if (!['png', 'jpeg', 'webp'].includes(file.kind)) throw new AppError(415, 'unsupported_media_type', 'contests.bannerType');
  const old = await withUploadTransaction(pool, store, async (tx, place) => {
    const c = await q.lockContest(tx, id);
    if (!c) throw new NotFoundError('contest_not_found');
    const row = await place(file, 'banner');
    await q.setBannerFile(tx, id, row.id);
    let previous: { storage_key: string } | undefined;
    if (c.banner_file_id) {
      previous = await findStoredFile(tx, c.banner_file_id);
      await tx.query('DELETE FROM stored_files WHERE id = $1', [c.banner_file_id]);
    }
    await recordAudit(tx, actor, {
      action: 'contest.banner_changed',
      subjectType: 'contest',
      subjectId: id,
      contestId: id,
      before: { banner_file_id: c.banner_file_id },
      after: { banner_file_id: row.id, size_bytes: file.size, mime: file.mime },
    });
    return previous;
  });
  if (old) await deleteStoredFileData(store, old);
}

/**
 * The public counters (entries received, engagement totals) are the page's only heavy queries:
 * the totals read every entry's latest snapshot, which on launch day is run by every visitor.
 * They are kept for a short while per contest; a public counter may lag by that much.
 */
export const COUNTERS_TTL_MS = 30_000;
const counterCache = new Map<string, { expires: number; value: Promise<{ entryCount: number; engagement: q.EngagementTotals | null }> }>();

export function contestCounters(db: Queryable, c: Pick<ContestRow, 'id' | 'created_at'>, now = Date.now()) {
  // Keyed by creation time too, so an id reused after a database reset never reads old numbers.
  const key = `${c.id}:${c.created_at.getTime()}`;
  const contestId = c.id;
  const hit = counterCache.get(key);
  if (hit && hit.expires > now) return hit.value;
  const value = Promise.all([q.countEntries(db, contestId), q.engagementTotals(db, contestId)]).then(([entryCount, engagement]) => ({ entryCount, engagement }));
  counterCache.set(key, { expires: now + COUNTERS_TTL_MS, value });
  // A failed count is not kept.
  value.catch(() => counterCache.delete(key));
  if (counterCache.size > 1000) counterCache.delete(counterCache.keys().next().value as string);
  return value;
}

/** Drops the kept counters (tests, and callers that just changed them and want them shown). */
export function forgetContestCounters(contestId?: number): void {
  if (contestId === undefined) counterCache.clear();
  else for (const k of [...counterCache.keys()]) if (k.startsWith(`${contestId}:`)) counterCache.delete(k);
}

export async function contestOverview(db: Queryable, c: ContestRow) {
  const [categories, prizes, counters, winners] = await Promise.all([
    q.listCategories(db, c.id),
    q.listPrizeTiers(db, c.id),
    contestCounters(db, c),
    q.winnersPublished(db, c.id),
  ]);
  return { categories, prizes, entryCount: counters.entryCount, engagement: counters.engagement, winnersPublished: winners };
}
