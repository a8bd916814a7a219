/**
 * How entrants write their details, turned into one stored form each. Pure functions, unit-tested.
 */

/** Vietnamese numbers in any common writing (0912 345 678, +84 912345678, 84-912.345.678) → E.164. */
export function normalisePhone(raw: string): string | null {
  const s = raw.normalize('NFKC').trim();
  if (!s || s.length > 30) return null;
  if (!/^[+0-9 ().-]+$/.test(s)) return null;
  let digits = s.replace(/[^0-9]/g, '');
  const plus = s.startsWith('+');
  if (plus && !digits.startsWith('84')) {
    // Another country: accept plain E.164 lengths.
    return /^[1-9][0-9]{6,14}$/.test(digits) ? `+${digits}` : null;
  }
  if (digits.startsWith('84') && (plus || digits.length >= 11)) digits = digits.slice(2);
  else if (digits.startsWith('0')) digits = digits.slice(1);
  else return null;
  if (digits.startsWith('0')) digits = digits.slice(1); // "+84 (0) 912…"
  // Mobiles 3/5/7/8/9 + 8 digits; landlines 2x + 9 digits.
  if (/^[35789][0-9]{8}$/.test(digits) || /^2[0-9]{9}$/.test(digits)) return `+84${digits}`;
  return null;
}

/** Names keep their Vietnamese diacritics, composed (NFC) so "Trúc" typed two ways compares equal. */
export function normaliseName(raw: string): string {
  return raw.normalize('NFC').replace(/\s+/g, ' ').trim();
}

export function normaliseEmail(raw: string): string {
  return raw.normalize('NFC').trim().toLowerCase();
}

/** Whole years between a date of birth and a day (both YYYY-MM-DD). */
export function ageOn(dateOfBirth: string, day: string): number {
  const [by, bm, bd] = dateOfBirth.split('-').map(Number) as [number, number, number];
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  let age = y - by;
  if (m < bm || (m === bm && d < bd)) age -= 1;
  return age;
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();
const lastDay = new Map<string, { minute: number; day: string }>();
/**
 * Today's date in a time zone as YYYY-MM-DD. Formatting costs about 10 µs and every submission
 * asks, so the answer is kept for the rest of its UTC minute: every zone's offset since 1972 is a whole
 * number of minutes, so the local date cannot change inside one.
 */
export function dayIn(timeZone: string, at: Date): string {
  const minute = Math.floor(at.getTime() / 60_000);
  const last = lastDay.get(timeZone);
  if (last?.minute === minute) return last.day;
  let f = dayFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, f);
  }
  const day = f.format(at);
  lastDay.set(timeZone, { minute, day });
  return day;
}

/** A national ID shown to anyone but organisers: the last three digits only. */
export function maskNationalId(id: string | null): string | null {
  return id ? `${'•'.repeat(Math.max(0, id.length - 3))}${id.slice(-3)}` : null;
}
