import { contestPhase } from './phase';
import type { CategoryRow, ContestListRow, ContestRow, EngagementTotals, PrizeTierRow } from './queries';

/** The public JSON shape of a contest: public fields and counters only, never set-up internals. */
export function presentContestSummary(c: Omit<ContestListRow, 'entry_count'> | ContestRow, entryCount: number, now = new Date()) {
  return {
    slug: c.slug,
    title: c.title,
    summary: c.summary,
    hashtags: c.hashtags,
    timeZone: c.time_zone,
    opensAt: c.opens_at?.toISOString() ?? null,
    closesAt: c.closes_at?.toISOString() ?? null,
    phase: contestPhase(c, now),
    url: `/c/${c.slug}`,
    bannerUrl: c.banner_file_id ? `/c/${c.slug}/banner` : null,
    counters: { entries: entryCount },
  };
}

export function presentContest(
  c: ContestRow,
  o: { categories: CategoryRow[]; prizes: PrizeTierRow[]; entryCount: number; engagement: EngagementTotals | null; winnersPublished: boolean },
  now = new Date(),
) {
  return {
    ...presentContestSummary(c, o.entryCount, now),
    rulesUrl: `/c/${c.slug}/rules`,
    submitUrl: contestPhase(c, now) === 'open' ? `/c/${c.slug}/submit` : null,
    winnersUrl: o.winnersPublished ? `/c/${c.slug}/winners` : null,
    ceremonyAt: c.ceremony_at?.toISOString() ?? null,
    ceremonyPlace: c.ceremony_place,
    organiserName: c.organiser_name,
    maxEntriesPerEntrant: c.max_entries_per_entrant,
    categories: o.categories.map((k) => ({ name: k.name, description: k.description })),
    prizes: o.prizes.map((p) => ({ name: p.name, count: p.count, category: p.category_name, decidedBy: p.decided_by })),
    counters: {
      entries: o.entryCount,
      engagement: o.engagement ? { views: o.engagement.views, likes: o.engagement.likes, comments: o.engagement.comments, shares: o.engagement.shares } : null,
    },
  };
}
