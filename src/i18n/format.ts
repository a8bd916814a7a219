import type { Lang } from './index';

// Building an Intl formatter costs far more than using one, and a results table formats
// thousands of numbers and dates: one formatter per locale and zone, kept.
const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
function cached<T extends Intl.NumberFormat | Intl.DateTimeFormat>(key: string, make: () => T): T {
  let f = cache.get(key) as T | undefined;
  if (!f) {
    f = make();
    cache.set(key, f);
  }
  return f;
}

/** Vietnamese groups thousands with dots: 45.304. */
export function formatNumber(n: number, lang: Lang): string {
  return cached(`n:${lang}`, () => new Intl.NumberFormat(lang === 'vi' ? 'vi-VN' : 'en-GB')).format(n);
}

/** "253 triệu" / "253 million", for headline totals. */
export function formatCompact(n: number, lang: Lang): string {
  const units = lang === 'vi'
    ? [[1e9, 'tỷ'], [1e6, 'triệu'], [1e3, 'nghìn']] as const
    : [[1e9, 'billion'], [1e6, 'million'], [1e3, 'thousand']] as const;
  for (const [size, word] of units) {
    if (Math.abs(n) >= size) {
      const v = Math.round((n / size) * 10) / 10;
      return `${formatNumber(v, lang)} ${word}`;
    }
  }
  return formatNumber(n, lang);
}

/** A moment shown in a contest's time zone, e.g. "30/09/2021 23:59 (GMT+7)". */
export function formatDateTime(d: Date | string | null | undefined, timeZone: string, _lang?: Lang): string {
  if (!d) return '';
  const date = typeof d === 'string' ? new Date(d) : d;
  const p = zonedParts(date, timeZone);
  return `${p.hour}:${p.minute} ${p.day}/${p.month}/${p.year} (${offsetLabel(date, timeZone)})`;
}

/** "GMT+7": the zone's offset at that moment, so a reader abroad knows which 23:59 it is. */
function offsetLabel(date: Date, timeZone: string): string {
  const minutes = Math.round(zoneOffsetMs(date, timeZone) / 60000);
  const sign = minutes < 0 ? '-' : '+';
  const h = Math.floor(Math.abs(minutes) / 60);
  const m = Math.abs(minutes) % 60;
  return `GMT${sign}${h}${m ? `:${String(m).padStart(2, '0')}` : ''}`;
}

export function formatDate(d: Date | string | null | undefined, timeZone: string, lang: Lang): string {
  if (!d) return '';
  const date = typeof d === 'string' ? new Date(d) : d;
  return cached(`d:${lang}:${timeZone}`, () => new Intl.DateTimeFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', { timeZone, day: '2-digit', month: '2-digit', year: 'numeric' })).format(date);
}

/**
 * Converts a wall-clock time typed in a zone ("2021-09-30T23:59" in Asia/Ho_Chi_Minh) to the
 * instant it names. Works for zones with DST by correcting once with the offset found.
 */
/**
 * Whether "YYYY-MM-DDTHH:mm[:ss]" names a wall-clock time that exists: without this check the
 * 30th of February or 25:61 roll over silently into another date.
 */
export function isRealLocalDateTime(local: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local.trim());
  if (!m) return false;
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number, number, number];
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d && t.getUTCHours() === h && t.getUTCMinutes() === mi && t.getUTCSeconds() === s;
}

export function zonedLocalToUtc(local: string, timeZone: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local.trim());
  if (!m) throw new RangeError(`Not a local date-time: ${local}`);
  const [, y, mo, d, h, mi, s] = m;
  const asUtc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0));
  const offset1 = zoneOffsetMs(new Date(asUtc), timeZone);
  const guess = asUtc - offset1;
  const offset2 = zoneOffsetMs(new Date(guess), timeZone);
  return new Date(asUtc - offset2);
}

/** The inverse: the instant as "YYYY-MM-DDTHH:mm" in the zone, for <input type="datetime-local">. */
export function utcToZonedLocal(d: Date | string | null | undefined, timeZone: string): string {
  if (!d) return '';
  const date = typeof d === 'string' ? new Date(d) : d;
  const p = zonedParts(date, timeZone);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

function zonedParts(date: Date, timeZone: string) {
  const parts = cached(
    `p:${timeZone}`,
    () =>
      new Intl.DateTimeFormat('en-CA', {
        timeZone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        hour12: false,
      }),
  ).formatToParts(date);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '00';
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour') === '24' ? '00' : get('hour'), minute: get('minute'), second: get('second') };
}

function zoneOffsetMs(date: Date, timeZone: string): number {
  const p = zonedParts(date, timeZone);
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return asUtc - Math.floor(date.getTime() / 1000) * 1000;
}
