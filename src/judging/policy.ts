/**
 * Pure rules of judging: who may score what, when, and how a scoresheet's weighted total is
 * computed. No database, no request: the service calls these and the unit tests pin them down.
 */

export type RoundState = 'draft' | 'open' | 'closed';
export type OthersScores = 'never' | 'after_own' | 'always';

export interface CriterionRule {
  id: number;
  weight: number;
  scale_min: number;
  scale_max: number;
  step: number;
}

/** A value is valid when it lies on the criterion's scale and on one of its steps. */
export function isValidScore(c: Pick<CriterionRule, 'scale_min' | 'scale_max' | 'step'>, value: number): boolean {
  if (!Number.isFinite(value)) return false;
  if (value < Number(c.scale_min) || value > Number(c.scale_max)) return false;
  const steps = (value - Number(c.scale_min)) / Number(c.step);
  return Math.abs(steps - Math.round(steps)) < 1e-9;
}

/**
 * The weighted total on a 0–100 scale: each score is placed on its own scale (min → 0, max → 1)
 * and weighted; weights need not add up to 100. Null when a criterion has no score yet.
 */
export function weightedScore(criteria: CriterionRule[], scores: Map<number, number> | Record<number, number>): number | null {
  const get = (id: number) => (scores instanceof Map ? scores.get(id) : scores[id]);
  let total = 0;
  let weights = 0;
  for (const c of criteria) {
    const v = get(c.id);
    if (v === undefined || v === null || Number.isNaN(v)) return null;
    const w = Number(c.weight);
    total += (w * (Number(v) - Number(c.scale_min))) / (Number(c.scale_max) - Number(c.scale_min));
    weights += w;
  }
  if (weights === 0) return null;
  return Math.round((total / weights) * 100 * 100) / 100;
}

/** A judge writes scoresheets only in an open round. */
export const roundAcceptsScores = (state: RoundState): boolean => state === 'open';

/** A judge sees their rounds once opened (a closed round stays readable), never a draft. */
export const judgeCanSeeRound = (state: RoundState): boolean => state === 'open' || state === 'closed';

/** When a judge may see the other judges' scores of an entry. */
export function canSeeOtherScores(mode: OthersScores, ownSubmitted: boolean): boolean {
  if (mode === 'always') return true;
  if (mode === 'after_own') return ownSubmitted;
  return false;
}

/** Checks before a round opens: a scoring round needs criteria; every round needs judges. */
export function openingProblems(r: { kind: 'screening' | 'scoring'; criteria: number; judges: number; state: RoundState }): string[] {
  const out: string[] = [];
  if (r.state !== 'draft') out.push('judging.error.notDraft');
  if (r.kind === 'scoring' && r.criteria === 0) out.push('judging.error.noCriteria');
  if (r.judges === 0) out.push('judging.error.noJudges');
  return out;
}

/** Loads are balanced when the busiest and the least busy judge differ by at most one entry. */
export function isBalanced(loads: number[]): boolean {
  if (loads.length === 0) return true;
  return Math.max(...loads) - Math.min(...loads) <= 1;
}
