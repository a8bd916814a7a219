import type { Pool } from 'pg';
import { recordAudit, type Actor } from '../audit/service';
import type { ContestRow } from '../contests/queries';
import type { Queryable } from '../db';
import { withTransaction } from '../db';
import { NotFoundError } from '../http/errors';
import { rankByEngagement, type EngagementRank, type EngagementRule } from './peoplesChoice';
import * as q from './queries';
import { daysBetween, fillDays } from './charts';

/** Minimum views for the engagement-rate ranking: a clip seen 3 times with 2 likes is not a story. */
export const RATE_MIN_VIEWS = 1000;

/** YYYY-MM-DD of an instant in a zone. */
export function dayIn(d: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

export interface Dashboard {
  /** When these figures were computed (the page says so). */
  computedAt: Date;
  totals: q.Totals;
  days: string[];
  entriesPerDay: number[];
  viewDays: string[];
  viewsOverTime: number[];
  likesOverTime: number[];
  deadlineDay: string | null;
  byCategory: q.GroupRow[];
  byProvince: q.GroupRow[];
  topViews: q.TopEntryRow[];
  topRate: q.TopEntryRow[];
  posting: { before: number; inside: number; after: number; unknown: number };
}

/**
 * Everything the dashboard shows. Engagement comes from the pre-aggregated tables (each entry's
 * latest snapshot, the daily totals), so the page costs a handful of indexed queries at any scale.
 */
export async function loadDashboard(db: Queryable, contest: ContestRow): Promise<Dashboard> {
  const tz = contest.time_zone;
  const [totals, perDay, daily, byCategory, byProvince, topViews, topRate, posting] = await Promise.all([
    q.dashboardTotals(db, contest.id),
    q.entriesPerDay(db, contest.id, tz),
    q.dailyTotals(db, contest.id),
    q.byCategory(db, contest.id),
    q.byProvince(db, contest.id, 12),
    q.topByViews(db, contest.id, 10),
    q.topByRate(db, contest.id, RATE_MIN_VIEWS, 10),
    q.postingWindow(db, contest.id),
  ]);
  const opens = contest.opens_at ? dayIn(contest.opens_at, tz) : undefined;
  const closes = contest.closes_at ? dayIn(contest.closes_at, tz) : undefined;
  const entryDays = perDay.map((d) => d.day);
  const first = [opens, entryDays[0]].filter(Boolean).sort()[0];
  const last = [closes, entryDays[entryDays.length - 1]].filter(Boolean).sort().reverse()[0];
  const days = first && last ? daysBetween(first, last) : [];
  const viewFirst = [first, daily[0]?.day].filter(Boolean).sort()[0];
  const viewLast = daily[daily.length - 1]?.day;
  const viewDays = viewFirst && viewLast ? daysBetween(viewFirst, viewLast > (last ?? '') ? viewLast : (last as string)) : [];
  return {
    computedAt: new Date(),
    totals,
    days,
    entriesPerDay: fillDays(days, new Map(perDay.map((d) => [d.day, d.entries])), 'zero'),
    viewDays,
    viewsOverTime: fillDays(viewDays, new Map(daily.map((d) => [d.day, d.views])), 'carry'),
    likesOverTime: fillDays(viewDays, new Map(daily.map((d) => [d.day, d.likes])), 'carry'),
    deadlineDay: closes ?? null,
    byCategory,
    byProvince,
    topViews,
    topRate,
    posting,
  };
}

/**
 * The dashboard is read far more often than its figures change (a projector, refreshes, several
 * organisers): one computation per contest is shared for DASHBOARD_TTL_MS, and concurrent
 * requests wait for the same one. Imports and corrections made by this process drop it at once;
 * an import from the command line shows up within the TTL.
 */
export const DASHBOARD_TTL_MS = 60_000;
const dashboards = new Map<number, { at: number; value: Promise<Dashboard> }>();

export function loadDashboardCached(db: Queryable, contest: ContestRow, now = Date.now()): Promise<Dashboard> {
  const hit = dashboards.get(contest.id);
  if (hit && now - hit.at < DASHBOARD_TTL_MS) return hit.value;
  const value = loadDashboard(db, contest);
  dashboards.set(contest.id, { at: now, value });
  value.catch(() => dashboards.delete(contest.id));
  return value;
}

export function invalidateDashboard(contestId: number): void {
  dashboards.delete(contestId);
}

export interface ManualSnapshotInput {
  capturedAt: Date;
  views: number;
  likes: number;
  comments: number;
  shares: number;
}

/** An organiser types or corrects one entry's figures; the same moment replaces them. Audited. */
export async function recordManualSnapshot(pool: Pool, contest: ContestRow, code: string, input: ManualSnapshotInput, actor: Actor): Promise<void> {
  await withTransaction(pool, async (tx) => {
    const entry = await q.findEntryByCode(tx, contest.id, code);
    if (!entry) throw new NotFoundError('entry_not_found');
    const before = await q.findSnapshot(tx, entry.id, input.capturedAt);
    // The daily totals move by the change in this one entry's growth, day by day.
    const growthBefore = await q.entryDailyGrowth(tx, entry.id, contest.time_zone);
    await q.upsertManualSnapshot(tx, contest.id, { entryId: entry.id, ...input });
    await q.refreshLatestForEntry(tx, entry.id);
    const change = new Map<string, q.Counts4>();
    for (const [sign, list] of [[-1, growthBefore], [1, await q.entryDailyGrowth(tx, entry.id, contest.time_zone)]] as const) {
      for (const g of list) {
        const c = change.get(g.day) ?? { views: 0, likes: 0, comments: 0, shares: 0 };
        c.views += sign * g.views;
        c.likes += sign * g.likes;
        c.comments += sign * g.comments;
        c.shares += sign * g.shares;
        change.set(g.day, c);
      }
    }
    await q.addDailyGrowth(tx, contest.id, change);
    await recordAudit(tx, actor, {
      action: before ? 'metrics.snapshot.correct' : 'metrics.snapshot.add',
      subjectType: 'entry',
      subjectId: entry.id,
      contestId: contest.id,
      before: before ? { capturedAt: before.captured_at, views: before.views, likes: before.likes, comments: before.comments, shares: before.shares, source: before.source } : undefined,
      after: { capturedAt: input.capturedAt, views: input.views, likes: input.likes, comments: input.comments, shares: input.shares },
    });
  });
  invalidateDashboard(contest.id);
}

export interface TierRule {
  formula: 'views' | 'likes' | 'weighted';
  weights: { views: number; likes: number; comments: number; shares: number };
  cutoffAt: Date;
}

/** The stored rule of an engagement tier, or the default (views, cut-off at the deadline). */
export function ruleOfTier(tier: q.EngagementTierRow, contest: ContestRow, now = new Date()): TierRule {
  const e = tier.engagement ?? {};
  const formula = e.formula === 'likes' || e.formula === 'weighted' ? e.formula : 'views';
  const w = e.weights ?? {};
  const cutoff = e.cutoffAt ? new Date(e.cutoffAt) : contest.closes_at ?? now;
  return {
    formula,
    weights: { views: Number(w.views ?? 1), likes: Number(w.likes ?? 0), comments: Number(w.comments ?? 0), shares: Number(w.shares ?? 0) },
    cutoffAt: Number.isNaN(cutoff.getTime()) ? now : cutoff,
  };
}

export function peoplesChoiceRanking(db: Queryable, contestId: number, tier: { category_id: number | null; count: number }, rule: TierRule): Promise<EngagementRank[]> {
  const r: EngagementRule = { formula: rule.formula, weights: rule.weights, cutoffAt: rule.cutoffAt, categoryId: tier.category_id };
  return rankByEngagement(db, contestId, r, Math.max(20, tier.count * 3));
}

export async function saveTierRule(pool: Pool, contest: ContestRow, tierId: number, rule: TierRule, actor: Actor): Promise<q.EngagementTierRow> {
  return withTransaction(pool, async (tx) => {
    const tier = (await q.engagementTiers(tx, contest.id)).find((t) => t.id === tierId);
    if (!tier) throw new NotFoundError('tier_not_found');
    const stored = { formula: rule.formula, weights: rule.weights, cutoffAt: rule.cutoffAt.toISOString() };
    await q.saveTierEngagement(tx, contest.id, tierId, stored);
    await recordAudit(tx, actor, { action: 'metrics.peoples_choice.rule', subjectType: 'prize_tier', subjectId: tierId, contestId: contest.id, before: tier.engagement ?? undefined, after: stored });
    return tier;
  });
}
