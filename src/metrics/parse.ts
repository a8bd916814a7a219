import { zonedLocalToUtc } from '../i18n/format';

/**
 * Pure rules for reading an engagement export: which column is which (Vietnamese or English
 * headers, any order), how a video is named (entry code, video id, TikTok link), how counts are
 * written (Vietnamese thousand dots, "1,2 triệu", "1.2M"), and when a snapshot was read.
 */
export const METRIC_FIELDS = ['video', 'views', 'likes', 'comments', 'shares', 'capturedAt'] as const;
export type MetricField = (typeof METRIC_FIELDS)[number];
/** Field → the column index it is read from (absent: not in the file). */
export type ColumnMapping = Partial<Record<MetricField, number>>;

/** Header words per field, compared without accents, case or punctuation. */
const ALIASES: Record<MetricField, string[]> = {
  video: ['video', 'videoid', 'idvideo', 'mavideo', 'mavideotiktok', 'mabaidu', 'linkbai', 'duonglinkvideo', 'link', 'url', 'lienket', 'duongdan', 'duongdanvideo', 'linkvideo', 'ma', 'mabai', 'mabaiduthi', 'code', 'entry', 'entrycode', 'clip', 'tiktok', 'linktiktok', 'tiktokurl', 'videolink', 'videourl'],
  views: ['views', 'view', 'luotxem', 'xem', 'videoviews', 'plays', 'playcount', 'luotphat', 'soluotxem'],
  likes: ['likes', 'like', 'luotthich', 'thich', 'tim', 'luottim', 'hearts', 'soluotthich'],
  comments: ['comments', 'comment', 'binhluan', 'luotbinhluan', 'soluotbinhluan', 'sobinhluan'],
  shares: ['shares', 'share', 'chiase', 'luotchiase', 'soluotchiase'],
  capturedAt: ['capturedat', 'captured', 'time', 'date', 'datetime', 'thoigian', 'ngay', 'thoidiem', 'ngaylay', 'thoigianlay', 'thoidiemlay', 'readat', 'asof', 'ngaygio', 'timestamp'],
};

export function foldHeader(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/gi, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

/** The mapping a header row suggests; the organiser confirms or corrects it on the preview. */
export function guessMapping(header: string[]): ColumnMapping {
  const out: ColumnMapping = {};
  header.forEach((h, i) => {
    const f = foldHeader(h);
    for (const field of METRIC_FIELDS) {
      if (out[field] === undefined && ALIASES[field].includes(f)) {
        out[field] = i;
        return;
      }
    }
  });
  return out;
}

const UNITS: Record<string, number> = { k: 1e3, n: 1e3, nghin: 1e3, ngan: 1e3, m: 1e6, tr: 1e6, trieu: 1e6, b: 1e9, ty: 1e9 };

/**
 * A non-negative whole count. "1.234.567", "1,234,567", "1 234 567" and "1234567" are all
 * 1,234,567; "1,2 triệu" / "1.2M" / "15K" are rounded shorthand. A lone "1.5" is refused: in
 * Vietnamese it could be one and a half or fifteen hundred.
 */
export function parseCount(raw: string | undefined): { ok: true; value: number } | { ok: false; reason: 'missing' | 'negative' | 'not_a_number' } {
  const s = (raw ?? '').replace(/[\s\u00a0\u202f]/g, '');
  if (!s) return { ok: false, reason: 'missing' };
  if (/^[-−]/.test(s)) return { ok: false, reason: 'negative' };
  if (/^\d+$/.test(s)) return safe(Number(s));
  if (/^\d{1,3}(\.\d{3})+$/.test(s)) return safe(Number(s.replace(/\./g, '')));
  if (/^\d{1,3}(,\d{3})+$/.test(s)) return safe(Number(s.replace(/,/g, '')));
  const m = /^(\d+(?:[.,]\d+)?)([a-z]+)$/i.exec(foldUnit(s));
  if (m && UNITS[m[2]!.toLowerCase()]) return safe(Math.round(Number(m[1]!.replace(',', '.')) * UNITS[m[2]!.toLowerCase()]!));
  return { ok: false, reason: 'not_a_number' };
}

function foldUnit(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/gi, 'd');
}

function safe(n: number): { ok: true; value: number } | { ok: false; reason: 'not_a_number' } {
  return Number.isSafeInteger(n) ? { ok: true, value: n } : { ok: false, reason: 'not_a_number' };
}

/**
 * When a snapshot was read: ISO with an offset, or a wall-clock time in the contest's zone
 * ("2021-09-03 10:00", "03/09/2021 10:00", "03/09/2021" — day first, as written in Vietnam).
 */
export function parseCapturedAt(raw: string | undefined, timeZone: string): Date | undefined {
  const s = (raw ?? '').trim();
  if (!s) return undefined;
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(s)) {
    const d = new Date(s);
    return Number.isNaN(d.getTime()) ? undefined : d;
  }
  let m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(s);
  if (m) return zoned(m[1]!, m[2]!, m[3]!, m[4], m[5], m[6], timeZone);
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ ,]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(s);
  if (m) return zoned(m[3]!, m[2]!.padStart(2, '0'), m[1]!.padStart(2, '0'), m[4], m[5], m[6], timeZone);
  return undefined;
}

function zoned(y: string, mo: string, d: string, h: string | undefined, mi: string | undefined, sec: string | undefined, tz: string): Date | undefined {
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h ?? 0);
  const minute = Number(mi ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59) return undefined;
  const local = `${y}-${mo}-${d}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:${sec ?? '00'}`;
  const date = zonedLocalToUtc(local, tz);
  // 31/02 rolls over into March: refuse it instead of importing a made-up day.
  return Number.isNaN(date.getTime()) || new Date(Date.UTC(Number(y), month - 1, day)).getUTCDate() !== day ? undefined : date;
}

export type VideoRef = { kind: 'code'; code: string } | { kind: 'video_id'; videoId: string } | { kind: 'url'; url: string } | { kind: 'invalid' };

const HOSTS = /^(?:www\.|m\.|vm\.|vt\.)?tiktok\.com$/i;
const ID_PATHS = [
  /^\/@[^/]+\/(?:video|photo)\/(\d{15,20})\/?$/,
  /^\/v\/(\d{15,20})(?:\.html)?\/?$/,
  /^\/embed\/(?:v2\/)?(\d{15,20})\/?$/,
  /^\/player\/v1\/(\d{15,20})\/?$/,
];
const SHORT_LINK = /^(?:https?:\/\/)?(?:(?:vm|vt)\.tiktok\.com\/\w+|(?:www\.)?tiktok\.com\/t\/\w+)\/?$/i;
const MAX_ID = 2n ** 64n;

/** The id in a TikTok link, when the link itself carries it (short links do not). */
export function videoIdFromUrl(input: string): string | undefined {
  let s = input.trim();
  if (!/^https?:\/\//i.test(s)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(s)) return undefined;
    s = `https://${s}`;
  }
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return undefined;
  }
  if (!/^https?:$/.test(u.protocol) || !HOSTS.test(u.hostname)) return undefined;
  for (const re of ID_PATHS) {
    const m = re.exec(u.pathname);
    if (m) return BigInt(m[1]!) < MAX_ID ? m[1]! : undefined;
  }
  return undefined;
}

const codePatterns = new Map<string, RegExp>();

/**
 * What a cell in the video column names. Entry codes look like "TKKQ-00042"; a bare 15–20 digit
 * number is a video id; a TikTok link gives its id, or (a short link) is matched as typed.
 */
export function parseVideoRef(raw: string | undefined, codePrefix: string): VideoRef {
  const s = (raw ?? '').trim();
  if (!s) return { kind: 'invalid' };
  let code = codePatterns.get(codePrefix);
  if (!code) {
    code = new RegExp(`^${codePrefix}-\\d{1,9}$`, 'i');
    codePatterns.set(codePrefix, code);
  }
  if (code.test(s)) return { kind: 'code', code: s.toUpperCase() };
  if (/^\d{1,20}$/.test(s)) return BigInt(s) < MAX_ID ? { kind: 'video_id', videoId: s.replace(/^0+(?=\d)/, '') } : { kind: 'invalid' };
  if (/tiktok\.com/i.test(s)) {
    const id = videoIdFromUrl(s);
    if (id) return { kind: 'video_id', videoId: id };
    if (SHORT_LINK.test(s)) return { kind: 'url', url: s };
  }
  return { kind: 'invalid' };
}

/** The posting time carried in a video id's top 32 bits (Unix seconds). */
export function postedAtFromVideoId(videoId: string): Date {
  return new Date(Number(BigInt(videoId) >> 32n) * 1000);
}
