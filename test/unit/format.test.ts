import { formatCompact, formatDateTime, formatNumber, utcToZonedLocal, zonedLocalToUtc } from '../../src/i18n/format';
import { allKeys, hasKey } from '../../src/i18n';

describe('formats', () => {
  test('Vietnamese numbers group with dots', () => {
    expect(formatNumber(45304, 'vi')).toBe('45.304');
    expect(formatNumber(45304, 'en')).toBe('45,304');
    expect(formatCompact(253_000_000, 'vi')).toBe('253 triệu');
    expect(formatCompact(13_400_000, 'en')).toBe('13.4 million');
  });

  test('a deadline of 23:59 in Asia/Ho_Chi_Minh is 16:59 UTC', () => {
    expect(zonedLocalToUtc('2021-09-30T23:59', 'Asia/Ho_Chi_Minh').toISOString()).toBe('2021-09-30T16:59:00.000Z');
    expect(utcToZonedLocal(new Date('2021-09-30T16:59:00Z'), 'Asia/Ho_Chi_Minh')).toBe('2021-09-30T23:59');
    expect(formatDateTime(new Date('2021-09-30T16:59:00Z'), 'Asia/Ho_Chi_Minh', 'vi')).toBe('23:59 30/09/2021 (GMT+7)');
  });

  test('zones with daylight saving convert on both sides of the change', () => {
    expect(zonedLocalToUtc('2021-03-28T01:30', 'Europe/Paris').toISOString()).toBe('2021-03-28T00:30:00.000Z');
    expect(zonedLocalToUtc('2021-03-28T03:30', 'Europe/Paris').toISOString()).toBe('2021-03-28T01:30:00.000Z');
  });

  test('every Vietnamese string has its English twin', () => {
    const missing = allKeys('vi').filter((k) => !hasKey('en', k));
    const extra = allKeys('en').filter((k) => !hasKey('vi', k));
    expect({ missing, extra }).toEqual({ missing: [], extra: [] });
  });
});
