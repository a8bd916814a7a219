import { ageOn, dayIn, maskNationalId, normaliseEmail, normaliseName, normalisePhone } from '../../../src/entries/normalise';

describe('normalisePhone', () => {
  it.each([
    ['0912 345 678', '+84912345678'],
    ['0912.345.678', '+84912345678'],
    ['0912-345-678', '+84912345678'],
    ['+84 912345678', '+84912345678'],
    ['+84 (0) 912 345 678', '+84912345678'],
    ['84912345678', '+84912345678'],
    ['(+84) 98 765 4321', '+84987654321'],
    ['0243 826 1234', '+842438261234'],
    ['+44 20 7946 0958', '+442079460958'],
  ])('%s → %s', (input, expected) => expect(normalisePhone(input)).toBe(expected));
  it.each(['12345', '0912 34', '0112345678', 'abc', '', '+84 12', '0912 345 678 9999'])('refuses %j', (input) => expect(normalisePhone(input)).toBeNull());
});

describe('names, emails, ages, IDs', () => {
  it('composes Vietnamese names (NFC) and keeps their diacritics', () => {
    const decomposed = 'Tru\u0301c  Linh '.normalize('NFD');
    expect(normaliseName(decomposed)).toBe('Trúc Linh');
    expect(normaliseName(decomposed)).toBe('Trúc Linh'.normalize('NFC'));
  });
  it('lower-cases emails', () => expect(normaliseEmail('  Linh@Example.VN ')).toBe('linh@example.vn'));
  it('counts whole years to the day', () => {
    expect(ageOn('2003-09-30', '2021-09-29')).toBe(17);
    expect(ageOn('2003-09-30', '2021-09-30')).toBe(18);
  });
  it("takes today's date in the contest's zone", () => {
    expect(dayIn('Asia/Ho_Chi_Minh', new Date('2021-09-30T17:30:00Z'))).toBe('2021-10-01');
    expect(dayIn('UTC', new Date('2021-09-30T17:30:00Z'))).toBe('2021-09-30');
  });
  it('turns the day at local midnight, to the second, though answers are kept for a minute', () => {
    expect(dayIn('Asia/Ho_Chi_Minh', new Date('2021-09-30T16:59:00Z'))).toBe('2021-09-30');
    expect(dayIn('Asia/Ho_Chi_Minh', new Date('2021-09-30T16:59:59.999Z'))).toBe('2021-09-30');
    expect(dayIn('Asia/Ho_Chi_Minh', new Date('2021-09-30T17:00:00Z'))).toBe('2021-10-01');
    expect(dayIn('Asia/Kathmandu', new Date('2021-09-30T18:14:59Z'))).toBe('2021-09-30');
    expect(dayIn('Asia/Kathmandu', new Date('2021-09-30T18:15:00Z'))).toBe('2021-10-01');
    expect(dayIn('Asia/Ho_Chi_Minh', new Date('2021-09-30T16:59:30Z'))).toBe('2021-09-30');
  });
  it('masks national IDs but the last three digits', () => expect(maskNationalId('001090012345')).toBe('•••••••••345'));
});
