import type { Pool } from 'pg';
import type { Queryable, Tx } from '../db';
import { execute, maybeOne, one, rows, withTransaction } from '../db';
import { recordAudit, type Actor } from '../audit/service';
import { changeContestState, markResultsPublished, markResultsUnpublished } from '../contests/lifecycle';
import type { ContestRow } from '../contests/queries';
import { changeEntryStatus } from '../entries/states';
import { ConflictError, NotFoundError, ValidationError } from '../http/errors';
import { rankByEngagement, type EngagementRule } from '../metrics/peoplesChoice';
import { findEntryByCode, RANKABLE } from './queries';
import { computeResults, loadRound, type Method } from './service';

/**
 * The winners list: awards (an entry given a prize tier) plus the list's state, draft →
 * published → (unpublished with a reason) draft. Suggestions come from the final round's ranking
 * and, for people's-choice tiers, from engagement; the organiser overrides with a reason. Every
 * change is audited; publication is one transaction with the contest's state change.
 */

// Prize tiers are the contest set-up's: one query serves the form, the suggestion and the list.
import { listPrizeTiers } from '../contests/queries';
export { listPrizeTiers };
export type { PrizeTierRow } from '../contests/queries';

export interface AwardRow {
  id: number;
  prize_tier_id: number;
  tier_name: string;
  tier_position: number;
  entry_id: number;
  code: string;
  title: string;
  status: string;
  video_id: string | null;
  rank: number | null;
  position: number;
  source: 'suggested' | 'override';
  reason: string | null;
  full_name: string;
  display_name: string | null;
}

/** Awards in ceremony order: highest prize (lowest tier position) first, then by rank. */
export function listAwards(q: Queryable, contestId: number): Promise<AwardRow[]> {
  return rows<AwardRow>(
    q,
    `SELECT a.id, a.prize_tier_id, t.name AS tier_name, t.position AS tier_position, a.entry_id, e.code, e.title, e.status, e.video_id,
            a.rank, a.position, a.source, a.reason, en.full_name, en.display_name
       FROM awards a JOIN prize_tiers t ON t.id = a.prize_tier_id JOIN entries e ON e.id = a.entry_id JOIN entrants en ON en.id = e.entrant_id
      WHERE a.contest_id = $1
      ORDER BY t.position, t.id, a.position, a.rank NULLS LAST, e.code`,
    [contestId],
  );
}

export interface WinnersListState {
  state: 'draft' | 'published';
  published_at: Date | null;
  published_by: number | null;
  unpublished_reason: string | null;
}

export async function winnersListState(q: Queryable, contestId: number): Promise<WinnersListState> {
  const row = await maybeOne<WinnersListState>(q, 'SELECT state, published_at, published_by, unpublished_reason FROM winners_lists WHERE contest_id = $1', [contestId]);
  return row ?? { state: 'draft', published_at: null, published_by: null, unpublished_reason: null };
}

/** The list row, locked for the rest of the transaction; created as a draft on first use. */
async function lockList(tx: Tx, contestId: number): Promise<WinnersListState> {
  await execute(tx, 'INSERT INTO winners_lists (contest_id) VALUES ($1) ON CONFLICT DO NOTHING', [contestId]);
  return one<WinnersListState>(tx, 'SELECT state, published_at, published_by, unpublished_reason FROM winners_lists WHERE contest_id = $1 FOR UPDATE', [contestId]);
}

async function lockDraft(tx: Tx, contestId: number): Promise<void> {
  const list = await lockList(tx, contestId);
  if (list.state === 'published') throw new ConflictError('winners_published', 'winners.alreadyPublishedEdit');
}

export interface SuggestionReport {
  awards: number;
  /** Tiers whose last place is tied with the next entry: the organiser decides. */
  tiesAtCutoff: { tier: string; codes: string[] }[];
  /** Tiers that got fewer entries than their count (no ranking, no engagement data…). */
  short: { tier: string; missing: number }[];
}

/**
 * Replaces the draft's awards with suggestions: each tier in order (highest first) takes the best
 * ranked entries of the final round (of its category, if it has one) that may still take a prize;
 * engagement tiers take the people's-choice ranking. An entry takes one prize unless the contest
 * allows more.
 */
export async function suggestWinners(pool: Pool, contest: ContestRow, actor: Actor, method: Method = 'plain'): Promise<SuggestionReport> {
  return withTransaction(pool, async (tx) => {
    await lockDraft(tx, contest.id);
    const tiers = await listPrizeTiers(tx, contest.id);
    if (!tiers.length) throw new ConflictError('no_prize_tiers', 'winners.noTiers');
    const needsRanking = tiers.some((t) => t.decided_by === 'judges');
    const ranking = needsRanking ? (await computeResults(tx, contest, await loadRound(tx, contest, undefined), { method, pageSize: null })).rows : [];
    await execute(tx, 'DELETE FROM awards WHERE contest_id = $1', [contest.id]);
    const taken = new Set<number>();
    const report: SuggestionReport = { awards: 0, tiesAtCutoff: [], short: [] };
    for (const tier of tiers) {
      let candidates: { entry_id: number; code: string; rank: number }[];
      if (tier.decided_by === 'engagement') {
        const e = tier.engagement ?? {};
        const rule: EngagementRule = {
          formula: (e.formula as EngagementRule['formula']) ?? 'views',
          weights: e.weights,
          cutoffAt: e.cutoffAt ? new Date(e.cutoffAt) : new Date(),
          categoryId: tier.category_id,
        };
        candidates = await rankByEngagement(tx, contest.id, rule, tier.count + taken.size + 50);
      } else {
        candidates = ranking.filter((r) => r.score !== null && (tier.category_id === null || r.category_id === tier.category_id));
      }
      candidates = candidates.filter((c) => contest.allow_multiple_prizes || !taken.has(c.entry_id));
      const chosen = candidates.slice(0, tier.count);
      const next = candidates[tier.count];
      const last = chosen[chosen.length - 1];
      if (last && next && next.rank === last.rank) {
        report.tiesAtCutoff.push({ tier: tier.name, codes: candidates.filter((c) => c.rank === last.rank).map((c) => c.code) });
      }
      if (chosen.length < tier.count) report.short.push({ tier: tier.name, missing: tier.count - chosen.length });
      for (const [i, c] of chosen.entries()) {
        await execute(
          tx,
          `INSERT INTO awards (contest_id, prize_tier_id, entry_id, rank, position, source, created_by) VALUES ($1, $2, $3, $4, $5, 'suggested', $6)`,
          [contest.id, tier.id, c.entry_id, c.rank, i + 1, actor.id],
        );
        taken.add(c.entry_id);
        report.awards += 1;
      }
    }
    await recordAudit(tx, actor, {
      action: 'winners.suggested',
      subjectType: 'contest',
      subjectId: contest.id,
      contestId: contest.id,
      after: { method, awards: report.awards, tiesAtCutoff: report.tiesAtCutoff, short: report.short },
    });
    return report;
  });
}

function requireReason(reason: string | undefined | null): string {
  const r = (reason ?? '').trim();
  if (!r) throw new ValidationError({ reason: 'winners.reasonRequired' });
  if (r.length > 2000) throw new ValidationError({ reason: 'form.invalid' });
  return r;
}

async function awardableEntry(tx: Tx, contest: ContestRow, code: string, tierId: number, ignoreAwardId?: number) {
  const entry = await findEntryByCode(tx, contest.id, code.trim().toUpperCase());
  if (!entry) throw new ValidationError({ entryCode: 'winners.entryNotFound' });
  if (!RANKABLE.includes(entry.status)) throw new ValidationError({ entryCode: 'winners.notAwardable' });
  const others = await rows<{ id: number; prize_tier_id: number }>(tx, 'SELECT id, prize_tier_id FROM awards WHERE entry_id = $1', [entry.id]);
  const elsewhere = others.filter((o) => o.id !== ignoreAwardId);
  if (elsewhere.some((o) => o.prize_tier_id === tierId)) throw new ValidationError({ entryCode: 'winners.alreadyInTier' });
  if (!contest.allow_multiple_prizes && elsewhere.length) throw new ValidationError({ entryCode: 'winners.onePrize' });
  return entry;
}

/** The organiser adds an entry to a tier by hand, with a reason. */
export async function addAward(pool: Pool, contest: ContestRow, input: { tierId: number; entryCode: string; reason: string }, actor: Actor): Promise<number> {
  const reason = requireReason(input.reason);
  return withTransaction(pool, async (tx) => {
    await lockDraft(tx, contest.id);
    const tier = await maybeOne<{ id: number; name: string }>(tx, 'SELECT id, name FROM prize_tiers WHERE id = $1 AND contest_id = $2', [input.tierId, contest.id]);
    if (!tier) throw new ValidationError({ tierId: 'winners.tierNotFound' });
    const entry = await awardableEntry(tx, contest, input.entryCode, tier.id);
    const award = await one<{ id: number }>(
      tx,
      `INSERT INTO awards (contest_id, prize_tier_id, entry_id, position, source, reason, created_by)
       VALUES ($1, $2, $3, (SELECT coalesce(max(position), 0) + 1 FROM awards WHERE prize_tier_id = $2), 'override', $4, $5) RETURNING id`,
      [contest.id, tier.id, entry.id, reason, actor.id],
    );
    await recordAudit(tx, actor, {
      action: 'winners.award_added',
      subjectType: 'award',
      subjectId: award.id,
      contestId: contest.id,
      after: { tier: tier.name, entry: entry.code },
      reason,
    });
    return award.id;
  });
}

async function lockAward(tx: Tx, contestId: number, awardId: number) {
  const a = await maybeOne<{ id: number; prize_tier_id: number; tier_name: string; code: string; source: string }>(
    tx,
    `SELECT a.id, a.prize_tier_id, t.name AS tier_name, e.code, a.source
       FROM awards a JOIN prize_tiers t ON t.id = a.prize_tier_id JOIN entries e ON e.id = a.entry_id
      WHERE a.id = $1 AND a.contest_id = $2 FOR UPDATE OF a`,
    [awardId, contestId],
  );
  if (!a) throw new NotFoundError('award_not_found');
  return a;
}

export async function removeAward(pool: Pool, contest: ContestRow, awardId: number, reasonIn: string, actor: Actor): Promise<void> {
  const reason = requireReason(reasonIn);
  await withTransaction(pool, async (tx) => {
    await lockDraft(tx, contest.id);
    const a = await lockAward(tx, contest.id, awardId);
    await execute(tx, 'DELETE FROM awards WHERE id = $1', [a.id]);
    await recordAudit(tx, actor, {
      action: 'winners.award_removed',
      subjectType: 'award',
      subjectId: a.id,
      contestId: contest.id,
      before: { tier: a.tier_name, entry: a.code, source: a.source },
      reason,
    });
  });
}

/** Overrides a suggestion: the award goes to another entry, with a reason. */
export async function replaceAward(pool: Pool, contest: ContestRow, awardId: number, input: { entryCode: string; reason: string }, actor: Actor): Promise<void> {
  const reason = requireReason(input.reason);
  await withTransaction(pool, async (tx) => {
    await lockDraft(tx, contest.id);
    const a = await lockAward(tx, contest.id, awardId);
    const entry = await awardableEntry(tx, contest, input.entryCode, a.prize_tier_id, a.id);
    await execute(tx, `UPDATE awards SET entry_id = $2, source = 'override', reason = $3, rank = NULL, created_by = $4 WHERE id = $1`, [a.id, entry.id, reason, actor.id]);
    await recordAudit(tx, actor, {
      action: 'winners.award_overridden',
      subjectType: 'award',
      subjectId: a.id,
      contestId: contest.id,
      before: { tier: a.tier_name, entry: a.code },
      after: { tier: a.tier_name, entry: entry.code },
      reason,
    });
  });
}

/**
 * Publication, in one transaction: the list becomes published (who, when), the contest moves to
 * results_published, every awarded entry becomes "awarded", and it is all audited.
 */
export async function publishWinners(pool: Pool, contest: ContestRow, actor: Actor): Promise<void> {
  await withTransaction(pool, async (tx) => {
    const list = await lockList(tx, contest.id);
    if (list.state === 'published') throw new ConflictError('already_published', 'winners.alreadyPublished');
    const awards = await listAwards(tx, contest.id);
    if (!awards.length) throw new ConflictError('no_awards', 'winners.noAwards');
    const bad = awards.filter((a) => !RANKABLE.includes(a.status));
    if (bad.length) throw new ConflictError('entry_not_awardable', 'winners.cannotPublishEntry', { codes: bad.map((b) => b.code).join(', ') });
    const state = await one<{ state: string }>(tx, 'SELECT state FROM contests WHERE id = $1 FOR UPDATE', [contest.id]);
    if (state.state === 'published') await changeContestState(tx, { contestId: contest.id, to: 'judging', actor });
    await markResultsPublished(tx, contest.id, actor);
    await execute(tx, `UPDATE winners_lists SET state = 'published', published_at = now(), published_by = $2, unpublished_reason = NULL WHERE contest_id = $1`, [contest.id, actor.id]);
    for (const id of new Set(awards.map((a) => a.entry_id))) {
      await changeEntryStatus(tx, { entryId: id, to: 'awarded', actor });
    }
    await recordAudit(tx, actor, {
      action: 'winners.published',
      subjectType: 'contest',
      subjectId: contest.id,
      contestId: contest.id,
      before: { state: 'draft' },
      after: { state: 'published', awards: awards.map((a) => ({ tier: a.tier_name, entry: a.code })) },
    });
  });
}

/** Takes the list back (a correction before the ceremony), with a reason; the public sees 404 again. */
export async function unpublishWinners(pool: Pool, contest: ContestRow, reasonIn: string, actor: Actor): Promise<void> {
  const reason = requireReason(reasonIn);
  await withTransaction(pool, async (tx) => {
    const list = await lockList(tx, contest.id);
    if (list.state !== 'published') throw new ConflictError('not_published', 'winners.notPublished');
    await markResultsUnpublished(tx, contest.id, actor, reason);
    await execute(tx, `UPDATE winners_lists SET state = 'draft', unpublished_reason = $2 WHERE contest_id = $1`, [contest.id, reason]);
    // Each awarded entry goes back to the status it had before publication (from the audit
    // trail); failing that, shortlisted if it was promoted, else eligible.
    const awarded = await rows<{ id: number; previous: string | null; promoted: boolean }>(
      tx,
      `SELECT e.id, EXISTS (SELECT 1 FROM round_entries re WHERE re.entry_id = e.id) AS promoted,
              (SELECT l.before->>'status' FROM audit_log l
                WHERE l.subject_type = 'entry' AND l.subject_id = e.id::text AND l.action = 'entry.status_changed' AND l.after->>'status' = 'awarded'
                ORDER BY l.id DESC LIMIT 1) AS previous
         FROM entries e WHERE e.contest_id = $1 AND e.status = 'awarded'`,
      [contest.id],
    );
    for (const e of awarded) {
      const to = e.previous === 'eligible' || e.previous === 'shortlisted' ? e.previous : e.promoted ? 'shortlisted' : 'eligible';
      await changeEntryStatus(tx, { entryId: e.id, to, actor, note: reason });
    }
    await recordAudit(tx, actor, {
      action: 'winners.unpublished',
      subjectType: 'contest',
      subjectId: contest.id,
      contestId: contest.id,
      before: { state: 'published', publishedAt: list.published_at },
      after: { state: 'draft' },
      reason,
    });
  });
}

/** Entrant fields that may ever be public, mapped to their columns: never phone, email, ID, address or birth date. */
export const PUBLIC_ENTRANT_FIELDS: Record<string, string> = {
  displayName: 'display_name',
  fullName: 'full_name',
  organisation: 'organisation',
  occupation: 'occupation',
  province: 'province',
  tiktokHandle: 'tiktok_handle',
};

export interface PublicWinner {
  prize: string;
  code: string;
  title: string;
  videoId: string | null;
  rank: number | null;
  entrant: Record<string, string>;
}

export interface PublicTier {
  prize: string;
  winners: PublicWinner[];
}

/**
 * The published winners list as the public sees it (undefined until published): tiers in
 * ceremony order, with only the entrant fields the contest made public. Only whitelisted
 * columns are read, so personal data cannot leak through a mistake in the view.
 */
export async function publicWinners(q: Queryable, contest: ContestRow): Promise<PublicTier[] | undefined> {
  const list = await winnersListState(q, contest.id);
  if (list.state !== 'published' || !['results_published', 'archived'].includes(contest.state)) return undefined;
  const fields = (contest.public_fields ?? []).filter((f) => f in PUBLIC_ENTRANT_FIELDS);
  const cols = fields.map((f) => `en.${PUBLIC_ENTRANT_FIELDS[f]} AS "${f}"`);
  const awardRows = await rows<{ prize: string; tier_id: number; code: string; title: string; video_id: string | null; rank: number | null } & Record<string, string | null>>(
    q,
    `SELECT t.name AS prize, t.id AS tier_id, e.code, e.title, e.video_id, a.rank${cols.length ? ', ' + cols.join(', ') : ''}
       FROM awards a JOIN prize_tiers t ON t.id = a.prize_tier_id JOIN entries e ON e.id = a.entry_id JOIN entrants en ON en.id = e.entrant_id
      WHERE a.contest_id = $1
      ORDER BY t.position, t.id, a.position, a.rank NULLS LAST, e.code`,
    [contest.id],
  );
  const tiers: PublicTier[] = [];
  const byTier = new Map<number, PublicTier>();
  for (const r of awardRows) {
    let tier = byTier.get(r.tier_id);
    if (!tier) {
      tier = { prize: r.prize, winners: [] };
      byTier.set(r.tier_id, tier);
      tiers.push(tier);
    }
    const entrant: Record<string, string> = {};
    for (const f of fields) if (r[f]) entrant[f] = String(r[f]);
    tier.winners.push({ prize: r.prize, code: r.code, title: r.title, videoId: r.video_id, rank: r.rank, entrant });
  }
  return tiers;
}

/** For the entrant's own entry page (entries feature): the award(s) of an entry, once published. */
export function publishedAwardsForEntry(q: Queryable, entryId: number): Promise<{ prize: string }[]> {
  return rows<{ prize: string }>(
    q,
    `SELECT t.name AS prize FROM awards a JOIN prize_tiers t ON t.id = a.prize_tier_id
       JOIN winners_lists w ON w.contest_id = a.contest_id AND w.state = 'published'
      WHERE a.entry_id = $1 ORDER BY t.position`,
    [entryId],
  );
}
