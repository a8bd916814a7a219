import { MAX_TIE_BREAK_RULES, TIE_BREAK, tieBreakCodes } from '../../../src/results/policy';

const criteria = [{ id: 11, name: 'Nội dung' }, { id: 12, name: 'Cảm xúc' }];

test('each kind of rule becomes its code, in the contest order', () => {
  expect(tieBreakCodes([{ kind: 'median' }, { kind: 'criterion', criterionName: 'Cảm xúc' }, { kind: 'spread' }], criteria)).toEqual([-1, 12, -2]);
  expect(tieBreakCodes([{ kind: 'scoresheets' }, { kind: 'spread' }], criteria)).toEqual([TIE_BREAK.scoresheets, TIE_BREAK.spread]);
});

test('a criterion the round does not have, an unknown kind or a malformed list is skipped', () => {
  expect(tieBreakCodes([{ kind: 'criterion', criterionName: 'Kỹ thuật' }, { kind: 'coin' }, null, { kind: 'median' }], criteria)).toEqual([-1]);
  expect(tieBreakCodes('median', criteria)).toEqual([]);
  expect(tieBreakCodes(undefined, criteria)).toEqual([]);
});

test('at most three rules apply', () => {
  const rules = [{ kind: 'median' }, { kind: 'spread' }, { kind: 'scoresheets' }, { kind: 'criterion', criterionName: 'Nội dung' }];
  expect(tieBreakCodes(rules, criteria)).toEqual([-1, -2, 0]);
  expect(MAX_TIE_BREAK_RULES).toBe(3);
});
