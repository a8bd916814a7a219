import { utcToZonedLocal } from '../i18n/format';
import type { CategoryRow, ContestRow, PrizeTierRow } from './queries';
import { ENTRANT_OPTIONAL_FIELDS } from './queries';

/** What the contest form shows: plain strings, as typed, so a rejected form comes back unchanged. */
export interface FormValues {
  [field: string]: unknown;
  public_fields: string[];
  categories: { id: string; name: string; description: string }[];
  prizes: { id: string; name: string; count: string; category: string; decided_by: string }[];
}

const asList = (v: unknown): string[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

const BLANK_CATEGORIES = 2;
const BLANK_PRIZES = 3;

function pad<T>(list: T[], isBlank: (t: T) => boolean, blank: () => T, n: number): T[] {
  let trailing = 0;
  for (let i = list.length - 1; i >= 0 && isBlank(list[i] as T); i--) trailing++;
  return [...list, ...Array.from({ length: Math.max(0, n - trailing) }, blank)];
}

const blankCategory = () => ({ id: '', name: '', description: '' });
const blankPrize = () => ({ id: '', name: '', count: '', category: '', decided_by: 'judges' });
const padCategories = (l: FormValues['categories']) => pad(l, (c) => !c.name && !c.description, blankCategory, BLANK_CATEGORIES);
const padPrizes = (l: FormValues['prizes']) => pad(l, (p) => !p.name && !p.count, blankPrize, BLANK_PRIZES);

/** The body of a rejected form, rows rebuilt in the order they were sent (so error indexes match). */
export function valuesFromBody(body: Record<string, unknown>): FormValues {
  const catNames = asList(body.category_name);
  const catDescs = asList(body.category_description);
  const catIds = asList(body.category_id);
  const prizeNames = asList(body.prize_name);
  const prizeCounts = asList(body.prize_count);
  const prizeCats = asList(body.prize_category);
  const prizeBy = asList(body.prize_decided_by);
  const prizeIds = asList(body.prize_id);
  const scalars: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === 'string' && k !== '_csrf') scalars[k] = v;
  return {
    ...scalars,
    public_fields: asList(body.public_fields),
    categories: padCategories(catNames.map((name, i) => ({ id: catIds[i] ?? '', name, description: catDescs[i] ?? '' }))),
    prizes: padPrizes(prizeNames.map((name, i) => ({ id: prizeIds[i] ?? '', name, count: prizeCounts[i] ?? '', category: prizeCats[i] ?? '', decided_by: prizeBy[i] ?? 'judges' }))),
  };
}

export function valuesForNew(defaults: { timeZone: string; maxUploadMb: number }): FormValues {
  return {
    time_zone: defaults.timeZone,
    grace_minutes: '0',
    max_entries_per_entrant: '3',
    early_clip_policy: 'flag',
    upload_mode: 'off',
    max_upload_mb: String(defaults.maxUploadMb),
    public_fields: ['displayName', 'province'],
    field_province: 'required',
    field_tiktokHandle: 'optional',
    categories: padCategories([]),
    prizes: padPrizes([]),
  };
}

export function valuesFromContest(c: ContestRow, categories: CategoryRow[], prizes: PrizeTierRow[]): FormValues {
  const tz = c.time_zone;
  return {
    title: c.title,
    slug: c.slug,
    summary: c.summary,
    rules_md: c.rules_md,
    hashtags: c.hashtags.join(', '),
    time_zone: tz,
    opens_local: utcToZonedLocal(c.opens_at, tz),
    closes_local: utcToZonedLocal(c.closes_at, tz),
    grace_minutes: String(c.grace_minutes),
    ceremony_local: utcToZonedLocal(c.ceremony_at, tz),
    ceremony_place: c.ceremony_place ?? '',
    organiser_name: c.organiser_name ?? '',
    code_prefix: c.code_prefix,
    max_entries_per_entrant: String(c.max_entries_per_entrant),
    early_clip_policy: c.early_clip_policy,
    min_age: c.min_age === null ? '' : String(c.min_age),
    public_fields: c.public_fields,
    upload_mode: c.upload_mode,
    max_upload_mb: String(c.max_upload_mb),
    ...Object.fromEntries(ENTRANT_OPTIONAL_FIELDS.map((f) => [`field_${f}`, c.entrant_fields[f] ?? 'off'])),
    categories: padCategories(categories.map((k) => ({ id: String(k.id), name: k.name, description: k.description }))),
    prizes: padPrizes(prizes.map((p) => ({ id: String(p.id), name: p.name, count: String(p.count), category: p.category_name ?? '', decided_by: p.decided_by }))),
  };
}

export { str };
