import { canSeeOtherScores, isBalanced, isValidScore, judgeCanSeeRound, openingProblems, roundAcceptsScores, weightedScore } from '../../../src/judging/policy';

const criteria = [
  { id: 1, weight: 30, scale_min: 1, scale_max: 10, step: 1 },
  { id: 2, weight: 30, scale_min: 1, scale_max: 10, step: 1 },
  { id: 3, weight: 20, scale_min: 1, scale_max: 10, step: 1 },
  { id: 4, weight: 20, scale_min: 1, scale_max: 10, step: 1 },
];

describe('weightedScore', () => {
  test('all maximum is 100, all minimum is 0', () => {
    expect(weightedScore(criteria, { 1: 10, 2: 10, 3: 10, 4: 10 })).toBe(100);
    expect(weightedScore(criteria, { 1: 1, 2: 1, 3: 1, 4: 1 })).toBe(0);
  });
  test('weights apply to each score placed on its own scale', () => {
    // (30·7/9 + 30·5/9 + 20·9/9 + 20·0/9) / 100 · 100 = (210 + 150 + 180 + 0) / 9 = 60
    expect(weightedScore(criteria, { 1: 8, 2: 6, 3: 10, 4: 1 })).toBe(60);
  });
  test('weights need not add up to 100, and scales may differ', () => {
    const mixed = [
      { id: 1, weight: 3, scale_min: 0, scale_max: 5, step: 0.5 },
      { id: 2, weight: 1, scale_min: 1, scale_max: 10, step: 1 },
    ];
    // (3·2.5/5 + 1·9/9) / 4 = (1.5 + 1) / 4 = 0.625
    expect(weightedScore(mixed, new Map([[1, 2.5], [2, 10]]))).toBe(62.5);
  });
  test('a missing score gives no total', () => {
    expect(weightedScore(criteria, { 1: 8, 2: 6, 3: 10 })).toBeNull();
    expect(weightedScore([], {})).toBeNull();
  });
  test('rounds to two decimals', () => {
    expect(weightedScore(criteria.slice(0, 1), { 1: 2 })).toBe(11.11);
  });
});

describe('isValidScore', () => {
  const c = { scale_min: 1, scale_max: 10, step: 1 };
  test.each([[1, true], [10, true], [5, true], [0, false], [11, false], [5.5, false], [Number.NaN, false], [Infinity, false]])('%p → %p', (v, ok) => {
    expect(isValidScore(c, v)).toBe(ok);
  });
  test('half steps', () => {
    const h = { scale_min: 0, scale_max: 5, step: 0.5 };
    expect(isValidScore(h, 2.5)).toBe(true);
    expect(isValidScore(h, 2.25)).toBe(false);
    expect(isValidScore({ scale_min: 0, scale_max: 1, step: 0.1 }, 0.3)).toBe(true);
  });
});

describe('round rules', () => {
  test('only an open round takes scores; judges see open and closed rounds', () => {
    expect(['draft', 'open', 'closed'].map((s) => roundAcceptsScores(s as 'open'))).toEqual([false, true, false]);
    expect(['draft', 'open', 'closed'].map((s) => judgeCanSeeRound(s as 'open'))).toEqual([false, true, true]);
  });
  test("others' scores", () => {
    expect(canSeeOtherScores('never', true)).toBe(false);
    expect(canSeeOtherScores('after_own', false)).toBe(false);
    expect(canSeeOtherScores('after_own', true)).toBe(true);
    expect(canSeeOtherScores('always', false)).toBe(true);
  });
  test('opening needs criteria (scoring) and judges, from a draft', () => {
    expect(openingProblems({ kind: 'scoring', criteria: 0, judges: 0, state: 'draft' })).toEqual(['judging.error.noCriteria', 'judging.error.noJudges']);
    expect(openingProblems({ kind: 'screening', criteria: 0, judges: 1, state: 'draft' })).toEqual([]);
    expect(openingProblems({ kind: 'scoring', criteria: 4, judges: 2, state: 'open' })).toEqual(['judging.error.notDraft']);
  });
  test('balanced loads', () => {
    expect(isBalanced([428, 429, 429])).toBe(true);
    expect(isBalanced([427, 429])).toBe(false);
    expect(isBalanced([])).toBe(true);
  });
});
