import type { ContestRow } from '../contests/queries';

/**
 * The contest's tie-break rules as the ranking query takes them (queries.ts, k1–k3): a criterion's
 * id (the higher mean on that criterion wins), or one of these codes. Every rule is "higher key
 * wins"; the smaller spread is the higher −sd.
 */
export const TIE_BREAK = { scoresheets: 0, median: -1, spread: -2 } as const;

export const MAX_TIE_BREAK_RULES = 3;

export type TieBreakRule = ContestRow['tie_break'][number];

/**
 * The first three rules that apply to a round, in order: "more scoresheets", "higher median",
 * "smaller spread (population standard deviation)", or "higher mean on a criterion" — a
 * criterion the round does not have is skipped. A tie that survives them goes to the organiser.
 */
export function tieBreakCodes(rules: unknown, criteria: { id: number; name: string }[]): number[] {
  const out: number[] = [];
  for (const rule of Array.isArray(rules) ? (rules as Partial<TieBreakRule>[]) : []) {
    if (rule?.kind === 'scoresheets') out.push(TIE_BREAK.scoresheets);
    else if (rule?.kind === 'median') out.push(TIE_BREAK.median);
    else if (rule?.kind === 'spread') out.push(TIE_BREAK.spread);
    else if (rule?.kind === 'criterion') {
      const c = criteria.find((x) => x.name === rule.criterionName);
      if (c) out.push(c.id);
    }
  }
  return out.slice(0, MAX_TIE_BREAK_RULES);
}
