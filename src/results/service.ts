import type { Pool } from 'pg';
import type { Queryable } from '../db';
import { execute, rows, withTransaction } from '../db';
import { recordAudit, type Actor } from '../audit/service';
import { MAX_TIE_BREAK_RULES, tieBreakCodes } from './policy';
import type { ContestRow } from '../contests/queries';
import { changeEntryStatus } from '../entries/states';
import { ConflictError, NotFoundError, ValidationError } from '../http/errors';
import {
  cachedResultsPage, fillResultsCache, findRound, listCriteria, listRounds, lockResultsCache, resultsCacheState, roundResults, withResultsSettings,
  RANKABLE, type PageFilters, type ResultRow, type ResultsCacheState, type RoundRow,
} from './queries';

/** A scoresheet spread (max − min) of at least 30 % of the round's scale: the judges disagree. */
export const SPREAD_SHARE = 0.3;
export const PAGE_SIZE = 50;

export type Method = 'plain' | 'normalised';

/** The contest's tie-break rules for a round, as the ranking query takes them (policy.ts tieBreakCodes). */
export async function tieBreakKey(q: Queryable, contest: Pick<ContestRow, 'tie_break'>, roundId: number): Promise<number[]> {
  return tieBreakCodes(contest.tie_break, await listCriteria(q, roundId));
}

export { MAX_TIE_BREAK_RULES };

export interface ResultsOptions {
  method?: Method;
  categoryId?: number | null;
  spreadOnly?: boolean;
  tiedOnly?: boolean;
  page?: number;
  pageSize?: number | null;
}

export interface ResultsPage {
  round: RoundRow;
  rows: ResultRow[];
  total: number;
  page: number;
  pages: number;
}

export async function scoringRounds(q: Queryable, contestId: number): Promise<RoundRow[]> {
  return (await listRounds(q, contestId)).filter((r) => r.kind === 'scoring');
}

export async function loadRound(q: Queryable, contest: ContestRow, roundId: number | undefined): Promise<RoundRow> {
  if (roundId === undefined) {
    const rounds = await scoringRounds(q, contest.id);
    const last = rounds[rounds.length - 1];
    if (!last) throw new NotFoundError('round_not_found');
    return last;
  }
  const r = await findRound(q, contest.id, roundId);
  if (!r || r.kind !== 'scoring') throw new NotFoundError('round_not_found');
  return r;
}

/** Which rows a page asks for (pageSize null: all of them), and the page made of its rows. */
function paging(o: ResultsOptions) {
  const pageSize = o.pageSize === undefined ? PAGE_SIZE : o.pageSize;
  const page = Math.max(1, o.page ?? 1);
  return {
    filters: { categoryId: o.categoryId, spreadOnly: o.spreadOnly, tiedOnly: o.tiedOnly, limit: pageSize, offset: pageSize ? (page - 1) * pageSize : 0 } satisfies PageFilters,
    pageOf: (round: RoundRow, rows: ResultsPage['rows']): ResultsPage => {
      const total = rows[0]?.total_count ?? 0;
      return { round, rows, total, page, pages: pageSize ? Math.max(1, Math.ceil(total / pageSize)) : 1 };
    },
  };
}

/** A page of a round's results (pageSize null: all of them). */
export async function computeResults(q: Queryable, contest: ContestRow, round: RoundRow, o: ResultsOptions = {}): Promise<ResultsPage> {
  const p = paging(o);
  const result = await roundResults(q, {
    roundId: round.id,
    tieBreak: await tieBreakKey(q, contest, round.id),
    method: o.method ?? 'plain',
    spreadShare: SPREAD_SHARE,
    ...p.filters,
  });
  return p.pageOf(round, result);
}

const sameKey = (a: number[] | null, b: number[]) => a !== null && a.length === b.length && a.every((x, i) => Number(x) === b[i]);
const isFresh = (s: ResultsCacheState, tieBreak: number[]) => s.cached_stamp !== null && Number(s.cached_stamp) === Number(s.stamp) && sameKey(s.cached_tie_break, tieBreak);

/**
 * The same page as computeResults, read from the round's cached ranking (migrations/062), which
 * is recomputed first when the round's results stamp has moved since (or the tie-break key
 * differs). The check and the page are reads on the pool; a recomputation is one transaction,
 * under a per-round lock so that organisers arriving together compute it once. For pages shown
 * to organisers; the rules that change things (ties, promotion, winners) compute afresh inside
 * their own transaction.
 */
export async function cachedResults(pool: Pool, contest: ContestRow, round: RoundRow, o: ResultsOptions = {}): Promise<ResultsPage> {
  const p = paging(o);
  const method = o.method ?? 'plain';
  const tieBreak = await tieBreakKey(pool, contest, round.id);
  if (!isFresh(await resultsCacheState(pool, round.id, method), tieBreak)) {
    await withTransaction(pool, async (tx) => {
      await lockResultsCache(tx, round.id);
      // Whoever held the lock may have just filled it.
      if (isFresh(await resultsCacheState(tx, round.id, method), tieBreak)) return;
      await withResultsSettings(tx, (c) => fillResultsCache(c, { roundId: round.id, tieBreak, method, spreadShare: SPREAD_SHARE }));
    });
  }
  const result = await cachedResultsPage(pool, {
    roundId: round.id,
    method,
    ...p.filters,
  });
  return p.pageOf(round, result);
}

/**
 * The organiser decides the order of entries the tie-break rules left tied: entries are given in
 * the chosen order (positions 1, 2, …). Each must be in the same tie group; audited.
 */
export async function decideTie(pool: Pool, contest: ContestRow, round: RoundRow, orderedEntryIds: number[], actor: Actor, method: Method = 'plain'): Promise<void> {
  if (orderedEntryIds.length < 2 || new Set(orderedEntryIds).size !== orderedEntryIds.length) {
    throw new ValidationError({ entries: 'results.tieNeedsTwo' });
  }
  await withTransaction(pool, async (tx) => {
    await execute(tx, 'DELETE FROM result_tie_orders WHERE round_id = $1 AND entry_id = ANY($2::bigint[])', [round.id, orderedEntryIds]);
    const all = await computeResults(tx, contest, round, { method, pageSize: null });
    const chosen = orderedEntryIds.map((id) => all.rows.find((r) => r.entry_id === id));
    if (chosen.some((r) => !r)) throw new NotFoundError('entry_not_found');
    const first = chosen[0]!;
    const same = chosen.every((r) => r!.score === first.score && JSON.stringify(r!.tie_key) === JSON.stringify(first.tie_key));
    if (!same || first.score === null) throw new ConflictError('not_tied', 'results.notTied');
    for (const [i, id] of orderedEntryIds.entries()) {
      await execute(tx, 'INSERT INTO result_tie_orders (round_id, entry_id, position, decided_by) VALUES ($1, $2, $3, $4)', [round.id, id, i + 1, actor.id]);
    }
    await recordAudit(tx, actor, {
      action: 'results.tie_decided',
      subjectType: 'round',
      subjectId: round.id,
      contestId: contest.id,
      before: { tied: chosen.map((r) => r!.code), score: first.score },
      after: { order: chosen.map((r) => r!.code) },
    });
  });
}

export type PromoteMode = { kind: 'top'; n: number } | { kind: 'top_per_category'; n: number } | { kind: 'selected'; entryIds: number[] };

/**
 * Promotes entries of a round into the next round (round_entries), shortlisting them. "Top N"
 * takes every entry ranked N or better, so a tie at the cut-off is promoted whole, never cut by id.
 */
export async function promoteEntries(
  pool: Pool,
  contest: ContestRow,
  from: RoundRow,
  mode: PromoteMode,
  actor: Actor,
  method: Method = 'plain',
): Promise<{ promoted: string[]; target: RoundRow }> {
  return withTransaction(pool, async (tx) => {
    const rounds = await listRounds(tx, contest.id);
    const target = rounds.find((r) => r.position > from.position);
    if (!target) throw new ConflictError('no_next_round', 'results.noNextRound');
    if (target.state === 'closed') throw new ConflictError('round_closed', 'results.targetClosed');
    const tieBreak = await tieBreakKey(tx, contest, from.id);
    const base = { roundId: from.id, tieBreak, method, spreadShare: SPREAD_SHARE };
    let chosen: ResultRow[];
    if (mode.kind === 'selected') {
      const all = await roundResults(tx, base);
      chosen = all.filter((r) => mode.entryIds.includes(r.entry_id));
      if (chosen.length !== new Set(mode.entryIds).size) throw new NotFoundError('entry_not_found');
    } else {
      chosen = await roundResults(tx, mode.kind === 'top' ? { ...base, maxRank: mode.n } : { ...base, maxCategoryRank: mode.n });
      chosen = chosen.filter((r) => r.score !== null);
    }
    if (!chosen.length) throw new ValidationError({ n: 'results.nothingToPromote' });
    const promoted: string[] = [];
    for (const r of chosen) {
      const added = await execute(
        tx,
        'INSERT INTO round_entries (round_id, entry_id, promoted_by) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
        [target.id, r.entry_id, actor.id],
      );
      if (r.status === 'eligible') await changeEntryStatus(tx, { entryId: r.entry_id, to: 'shortlisted', actor, note: `→ ${target.name}` });
      if (added) promoted.push(r.code);
    }
    await recordAudit(tx, actor, {
      action: 'results.promoted',
      subjectType: 'round',
      subjectId: target.id,
      contestId: contest.id,
      before: { fromRound: from.id },
      after: { mode: mode.kind, n: 'n' in mode ? mode.n : null, entries: promoted },
    });
    return { promoted, target };
  });
}

/** Entries that may take a prize. */
export const AWARDABLE = RANKABLE;

export async function countRows(q: Queryable, sql: string, params: unknown[]): Promise<number> {
  const r = await rows<{ n: number }>(q, sql, params);
  return Number(r[0]?.n ?? 0);
}
