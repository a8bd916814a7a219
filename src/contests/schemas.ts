import { z } from 'zod';
import { isRealLocalDateTime, zonedLocalToUtc } from '../i18n/format';
import { ENTRANT_OPTIONAL_FIELDS, type EntrantOptionalField, type FieldMode } from './queries';
import { foldSlug, SLUG_PATTERN } from './slug';

/** Entrant fields that may be shown next to a winning entry: never phone, email, address or ID. */
export const PUBLIC_FIELD_CHOICES = ['displayName', 'province', 'organisation', 'occupation', 'tiktokHandle'] as const;
export const FIELD_MODES = ['off', 'optional', 'required'] as const;
export const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;

const text = (max: number) => z.preprocess((v) => (typeof v === 'string' ? v.trim() : v ?? ''), z.string().max(max, 'contests.tooLong'));
const requiredText = (max: number) => text(max).pipe(z.string().min(1, 'form.required'));
const intIn = (min: number, max: number, message = 'form.invalid') =>
  z.preprocess((v) => (typeof v === 'string' ? v.trim() : v), z.string().min(1, 'form.required').regex(/^-?\d{1,6}$/, message).transform(Number))
    .pipe(z.number().int().min(min, message).max(max, message));
const optionalInt = (min: number, max: number) =>
  z.preprocess((v) => (typeof v === 'string' ? v.trim() : v ?? ''), z.union([z.literal(''), z.string().regex(/^\d{1,3}$/, 'form.invalid')]))
    .transform((v) => (v === '' ? null : Number(v)))
    .pipe(z.number().int().min(min, 'form.invalid').max(max, 'form.invalid').nullable());
const localDateTime = z.preprocess((v) => (typeof v === 'string' ? v.trim() : v ?? ''), z.union([z.literal(''), z.string().regex(LOCAL_DATE_TIME, 'contests.badDate').refine(isRealLocalDateTime, 'contests.badDate')]));
/** A repeated form field arrives as a string once and as an array twice or more. */
const list = z.preprocess((v) => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]), z.array(z.string().max(2000)));

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return tz.length > 0;
  } catch {
    return false;
  }
}

export function parseHashtags(raw: string): string[] {
  return [...new Set(raw.split(/[\s,;]+/).map((h) => h.replace(/^#+|#+$/g, '')).filter(Boolean))];
}

const rawContestForm = z.object({
  title: requiredText(200),
  slug: text(80),
  summary: text(1000),
  rules_md: text(100_000),
  hashtags: text(500),
  time_zone: requiredText(64),
  opens_local: localDateTime,
  closes_local: localDateTime,
  grace_minutes: intIn(0, 1440),
  ceremony_local: localDateTime,
  ceremony_place: text(300),
  organiser_name: text(300),
  code_prefix: z.preprocess((v) => (typeof v === 'string' ? v.trim().toUpperCase() : v ?? ''), z.string().min(1, 'form.required').regex(/^[A-Z0-9]{2,10}$/, 'contests.badPrefix')),
  max_entries_per_entrant: intIn(1, 100),
  early_clip_policy: z.enum(['reject', 'flag'], 'form.invalid'),
  min_age: optionalInt(0, 120),
  public_fields: list,
  upload_mode: z.enum(FIELD_MODES, 'form.invalid'),
  max_upload_mb: intIn(1, 10_000),
  category_id: list,
  category_name: list,
  category_description: list,
  prize_id: list,
  prize_name: list,
  prize_count: list,
  prize_category: list,
  prize_decided_by: list,
  ...Object.fromEntries(ENTRANT_OPTIONAL_FIELDS.map((f) => [`field_${f}`, z.enum(FIELD_MODES, 'form.invalid').default('off')])),
});

export interface CategoryInput {
  id: number | null;
  name: string;
  description: string;
}
export interface PrizeInput {
  id: number | null;
  name: string;
  count: number;
  categoryName: string | null;
  decidedBy: 'judges' | 'engagement';
}

export interface ContestInput {
  title: string;
  slug: string;
  summary: string;
  rulesMd: string;
  hashtags: string[];
  timeZone: string;
  opensAt: Date | null;
  closesAt: Date | null;
  graceMinutes: number;
  ceremonyAt: Date | null;
  ceremonyPlace: string | null;
  organiserName: string | null;
  codePrefix: string;
  maxEntriesPerEntrant: number;
  earlyClipPolicy: 'reject' | 'flag';
  entrantFields: Record<EntrantOptionalField, FieldMode>;
  minAge: number | null;
  publicFields: string[];
  uploadMode: FieldMode;
  maxUploadMb: number;
  categories: CategoryInput[];
  prizes: PrizeInput[];
}

const idOf = (v: string | undefined): number | null => (v && /^\d{1,15}$/.test(v) ? Number(v) : null);

/**
 * The contest form: flat fields plus repeated rows for categories and prize tiers. Messages are
 * locale keys; cross-field rules (closing before opening, prize counts, unknown categories) carry
 * the path of the field they belong to so the form shows them in place.
 */
export const contestFormSchema = rawContestForm.transform((f, ctx): ContestInput => {
  const hashtags = parseHashtags(f.hashtags);
  if (!hashtags.length) ctx.addIssue({ code: 'custom', path: ['hashtags'], message: 'contests.hashtagRequired' });
  else if (hashtags.some((h) => !/^[\p{L}\p{N}_]{1,100}$/u.test(h))) ctx.addIssue({ code: 'custom', path: ['hashtags'], message: 'contests.badHashtag' });

  const slug = f.slug ? f.slug.toLowerCase() : foldSlug(f.title);
  if (!SLUG_PATTERN.test(slug)) ctx.addIssue({ code: 'custom', path: ['slug'], message: 'contests.badSlug' });

  const tzOk = isTimeZone(f.time_zone);
  if (!tzOk) ctx.addIssue({ code: 'custom', path: ['time_zone'], message: 'contests.badTimeZone' });
  const at = (local: string) => (local && tzOk ? zonedLocalToUtc(local, f.time_zone) : null);
  const opensAt = at(f.opens_local);
  const closesAt = at(f.closes_local);
  const ceremonyAt = at(f.ceremony_local);
  if (opensAt && closesAt && closesAt <= opensAt) ctx.addIssue({ code: 'custom', path: ['closes_local'], message: 'contests.closesBeforeOpens' });
  if (ceremonyAt && closesAt && ceremonyAt < closesAt) ctx.addIssue({ code: 'custom', path: ['ceremony_local'], message: 'contests.ceremonyBeforeClose' });

  const publicFields = f.public_fields.filter((p) => (PUBLIC_FIELD_CHOICES as readonly string[]).includes(p));
  if (publicFields.length !== f.public_fields.length) ctx.addIssue({ code: 'custom', path: ['public_fields'], message: 'form.invalid' });

  const categories: CategoryInput[] = [];
  const seen = new Set<string>();
  f.category_name.forEach((rawName, i) => {
    const name = rawName.trim();
    const description = (f.category_description[i] ?? '').trim();
    const id = idOf(f.category_id[i]);
    if (!name && !description) return; // a blank row, or a row cleared to delete it
    if (!name) return ctx.addIssue({ code: 'custom', path: ['categories', i, 'name'], message: 'form.required' });
    if (name.length > 120 || description.length > 1000) return ctx.addIssue({ code: 'custom', path: ['categories', i, 'name'], message: 'contests.tooLong' });
    const key = name.toLocaleLowerCase('vi');
    if (seen.has(key)) return ctx.addIssue({ code: 'custom', path: ['categories', i, 'name'], message: 'contests.categoryDuplicate' });
    seen.add(key);
    categories.push({ id, name, description });
  });

  const prizes: PrizeInput[] = [];
  f.prize_name.forEach((rawName, i) => {
    const name = rawName.trim();
    const countRaw = (f.prize_count[i] ?? '').trim();
    if (!name && !countRaw) return;
    if (!name) return ctx.addIssue({ code: 'custom', path: ['prizes', i, 'name'], message: 'form.required' });
    if (name.length > 120) return ctx.addIssue({ code: 'custom', path: ['prizes', i, 'name'], message: 'contests.tooLong' });
    const count = /^\d{1,4}$/.test(countRaw) ? Number(countRaw) : NaN;
    if (!(count >= 1 && count <= 1000)) return ctx.addIssue({ code: 'custom', path: ['prizes', i, 'count'], message: 'contests.prizeCount' });
    const categoryName = (f.prize_category[i] ?? '').trim() || null;
    if (categoryName && !categories.some((c) => c.name === categoryName)) {
      return ctx.addIssue({ code: 'custom', path: ['prizes', i, 'category'], message: 'contests.categoryUnknown' });
    }
    const decidedBy = f.prize_decided_by[i] === 'engagement' ? 'engagement' : 'judges';
    prizes.push({ id: idOf(f.prize_id[i]), name, count, categoryName, decidedBy });
  });

  const entrantFields = Object.fromEntries(
    ENTRANT_OPTIONAL_FIELDS.map((k) => [k, (f as unknown as Record<string, FieldMode>)[`field_${k}`] ?? 'off']),
  ) as Record<EntrantOptionalField, FieldMode>;

  // An age limit can only be checked against a date of birth the form asks for.
  if (f.min_age !== null && f.min_age > 0 && entrantFields.dateOfBirth !== 'required') {
    ctx.addIssue({ code: 'custom', path: ['min_age'], message: 'contests.minAgeNeedsBirthDate' });
  }

  return {
    title: f.title,
    slug,
    summary: f.summary,
    rulesMd: f.rules_md,
    hashtags,
    timeZone: f.time_zone,
    opensAt,
    closesAt,
    graceMinutes: f.grace_minutes,
    ceremonyAt,
    ceremonyPlace: f.ceremony_place || null,
    organiserName: f.organiser_name || null,
    codePrefix: f.code_prefix,
    maxEntriesPerEntrant: f.max_entries_per_entrant,
    earlyClipPolicy: f.early_clip_policy,
    entrantFields,
    minAge: f.min_age,
    publicFields,
    uploadMode: f.upload_mode,
    maxUploadMb: f.max_upload_mb,
    categories,
    prizes,
  };
});

export const transitionSchema = z.object({ action: z.enum(['publish', 'unpublish', 'start_judging', 'archive'], 'form.invalid') });
export type ContestAction = z.infer<typeof transitionSchema>['action'];
