import type { Queryable } from '../db';
import { rows } from '../db';

export type EngagementFormula = 'views' | 'likes' | 'weighted';

export interface EngagementRule {
  formula: EngagementFormula;
  /** For 'weighted': score = views·w.views + likes·w.likes + comments·w.comments + shares·w.shares. */
  weights?: { views?: number; likes?: number; comments?: number; shares?: number };
  /** Only snapshots captured at or before this instant count (the vote's cut-off). */
  cutoffAt: Date;
  categoryId?: number | null;
}

export interface EngagementRank {
  entry_id: number;
  code: string;
  title: string;
  category_id: number | null;
  captured_at: Date;
  views: number;
  likes: number;
  comments: number;
  shares: number;
  score: number;
  /** Dense rank by score: equal scores share a rank, so ties are visible, never broken by id. */
  rank: number;
}

/**
 * The people's-choice ranking: each eligible entry's latest snapshot before the cut-off, scored
 * by the organiser's formula. Computed in SQL; the caller decides how many take a prize.
 */
export function rankByEngagement(q: Queryable, contestId: number, rule: EngagementRule, limit = 100): Promise<EngagementRank[]> {
  const w = rule.formula === 'views' ? { views: 1, likes: 0, comments: 0, shares: 0 }
    : rule.formula === 'likes' ? { views: 0, likes: 1, comments: 0, shares: 0 }
    : { views: rule.weights?.views ?? 0, likes: rule.weights?.likes ?? 0, comments: rule.weights?.comments ?? 0, shares: rule.weights?.shares ?? 0 };
  return rows<EngagementRank>(
    q,
    `WITH latest AS (
       SELECT DISTINCT ON (s.entry_id) s.entry_id, s.captured_at, s.views, s.likes, s.comments, s.shares
         FROM metric_snapshots s
        WHERE s.contest_id = $1 AND s.captured_at <= $2
        ORDER BY s.entry_id, s.captured_at DESC
     ), scored AS (
       SELECT e.id AS entry_id, e.code, e.title, e.category_id, l.captured_at, l.views, l.likes, l.comments, l.shares,
              (l.views * $3::numeric + l.likes * $4::numeric + l.comments * $5::numeric + l.shares * $6::numeric)::float8 AS score
         FROM latest l JOIN entries e ON e.id = l.entry_id
        WHERE e.status IN ('eligible', 'shortlisted', 'awarded')
          AND ($7::bigint IS NULL OR e.category_id = $7)
     )
     SELECT *, dense_rank() OVER (ORDER BY score DESC)::int AS rank
       FROM scored ORDER BY score DESC, code LIMIT $8`,
    [contestId, rule.cutoffAt, w.views, w.likes, w.comments, w.shares, rule.categoryId ?? null, limit],
  );
}
