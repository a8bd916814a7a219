import { z } from 'zod';
import type { ContestRow, EntrantOptionalField, FieldMode } from '../contests/queries';
import { isRealLocalDateTime } from '../i18n/format';
import { ageOn, dayIn, normaliseEmail, normaliseName, normalisePhone } from './normalise';

/**
 * The submission form and the API body share one schema, built per contest because the contest
 * decides which entrant fields it asks for. Messages are locale keys.
 */
const text = (max: number) =>
  z
    .string('form.required')
    .transform((s) => s.normalize('NFC').trim())
    .pipe(z.string().max(max, 'form.tooLong'));

const requiredText = (max: number) => text(max).pipe(z.string().min(1, 'form.required'));

/** Checkboxes arrive as "on"/"1"/"true" from forms and as booleans from JSON. */
const checkbox = z.preprocess((v) => v === true || v === 'on' || v === '1' || v === 'true' || v === 'yes', z.boolean());

const phone = z
  .preprocess((v) => (v === undefined || v === null ? '' : v), z.string('form.invalid'))
  .transform((s) => s.trim())
  .transform((s, ctx) => {
    if (!s) return null;
    const p = normalisePhone(s);
    if (!p) {
      ctx.addIssue({ code: 'custom', message: 'entries.phone.invalid' });
      return z.NEVER;
    }
    return p;
  });

const wellFormedEmail = z.email();

const email = z
  .preprocess((v) => (v === undefined || v === null ? '' : v), z.string('form.invalid'))
  .transform(normaliseEmail)
  .transform((s, ctx) => {
    if (!s) return null;
    if (s.length > 254) ctx.addIssue({ code: 'custom', message: 'form.tooLong' });
    else if (!wellFormedEmail.safeParse(s).success) ctx.addIssue({ code: 'custom', message: 'entries.email.invalid' });
    return s;
  });

const optionalFieldSchemas: Record<EntrantOptionalField, z.ZodType<string, string>> = {
  // A day that exists: Date.parse rolls the 30th of February over, and PostgreSQL then refuses it (a 500).
  dateOfBirth: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'entries.dob.invalid').refine((s) => isRealLocalDateTime(`${s}T00:00`), 'entries.dob.invalid'),
  organisation: z.string().max(200, 'form.tooLong'),
  occupation: z.string().max(120, 'form.tooLong'),
  province: z.string().max(120, 'form.tooLong'),
  address: z.string().max(300, 'form.tooLong'),
  nationalId: z.string().regex(/^[0-9]{12}$/, 'entries.nationalId.invalid'),
  tiktokHandle: z
    .string()
    .transform((s) => s.replace(/^@/, '').toLowerCase())
    .pipe(z.string().regex(/^[a-z0-9._]{1,60}$/, 'entries.tiktokHandle.invalid')),
};

function optionalField(kind: EntrantOptionalField, mode: FieldMode, contest: ContestRow, now: Date) {
  let inner = optionalFieldSchemas[kind];
  if (kind === 'dateOfBirth') {
    const today = dayIn(contest.time_zone, now);
    inner = inner
      .refine((dob) => dob <= today, 'entries.dob.invalid')
      .refine((dob) => contest.min_age === null || ageOn(dob, today) >= contest.min_age, 'entries.dob.tooYoung');
  }
  const pre = z.preprocess((v) => (typeof v === 'string' ? (kind === 'nationalId' ? v.replace(/\s/g, '') : v.normalize('NFC').trim()) : v), z.unknown());
  if (mode === 'required') return pre.pipe(z.string('form.required').min(1, 'form.required').pipe(inner));
  return pre.transform((v, ctx) => {
    if (v === '' || v === undefined || v === null) return null;
    const r = inner.safeParse(v);
    if (!r.success) {
      ctx.addIssue({ code: 'custom', message: r.error.issues[0]?.message ?? 'form.invalid' });
      return z.NEVER;
    }
    return r.data;
  });
}

export interface SubmissionInput {
  tiktokUrl: string;
  title: string;
  description: string;
  categoryId: number | null;
  fullName: string;
  displayName: string;
  email: string | null;
  phone: string | null;
  consent: true;
  hashtagConfirmed: boolean;
  extra: Partial<Record<EntrantOptionalField, string | null>>;
}

const schemaCache = new Map<string, ReturnType<typeof buildSubmissionSchema>>();

/**
 * The schema for one contest, built once per contest version, category set and day (the minimum
 * age depends on the date): building a zod object compiles its parser, too slow to repeat per request.
 */
export function submissionSchema(contest: ContestRow, categoryIds: number[], now: Date) {
  const key = `${contest.id}:${contest.updated_at?.getTime?.() ?? ''}:${JSON.stringify(contest.entrant_fields)}:${contest.min_age}:${contest.hashtags.length}:${categoryIds.join(',')}:${dayIn(contest.time_zone, now)}`;
  let schema = schemaCache.get(key);
  if (!schema) {
    if (schemaCache.size > 500) schemaCache.clear();
    schema = buildSubmissionSchema(contest, categoryIds, now);
    schemaCache.set(key, schema);
  }
  return schema;
}

/** The contest's extra entrant fields it asks for, each with its rule (`modeOf` may relax a mode). */
function extraFieldsShape(contest: ContestRow, now: Date, modeOf: (kind: EntrantOptionalField, mode: FieldMode) => FieldMode = (_k, m) => m): Record<string, z.ZodType> {
  const extraShape: Record<string, z.ZodType> = {};
  for (const [kind, mode] of Object.entries(contest.entrant_fields ?? {}) as [EntrantOptionalField, FieldMode][]) {
    if (mode === 'optional' || mode === 'required') extraShape[kind] = optionalField(kind, modeOf(kind, mode), contest, now);
  }
  return extraShape;
}

/** An entrant is reachable: an email, a phone, or both. */
function requireContact(v: { email: string | null; phone: string | null }, ctx: z.RefinementCtx): void {
  if (!v.email && !v.phone) ctx.addIssue({ code: 'custom', path: ['email'], message: 'entries.contact.required' });
}

function extraOf(v: Record<string, unknown>, extraShape: Record<string, z.ZodType>): SubmissionInput['extra'] {
  const extra: SubmissionInput['extra'] = {};
  for (const k of Object.keys(extraShape) as EntrantOptionalField[]) extra[k] = (v[k] as string | null) ?? null;
  return extra;
}

function buildSubmissionSchema(contest: ContestRow, categoryIds: number[], now: Date) {
  const extraShape = extraFieldsShape(contest, now);
  return z
    .object({
      tiktokUrl: requiredText(2048),
      title: requiredText(200),
      description: text(2000).optional().default(''),
      category: z.preprocess((v) => (v === '' || v === undefined || v === null ? null : Number(v)), z.number().int().nullable()),
      fullName: requiredText(120).transform(normaliseName),
      displayName: text(120).optional().default('').transform(normaliseName),
      email,
      phone,
      consent: checkbox.refine((v) => v, 'entries.consent.required'),
      hashtagConfirmed: checkbox.refine((v) => v || contest.hashtags.length === 0, 'entries.hashtag.confirm'),
      ...extraShape,
    })
    .superRefine((v, ctx) => {
      requireContact(v, ctx);
      if (categoryIds.length > 0 && (v.category === null || !categoryIds.includes(v.category))) {
        ctx.addIssue({ code: 'custom', path: ['category'], message: v.category === null ? 'form.required' : 'form.invalid' });
      }
    })
    .transform((v): SubmissionInput => {
      const extra = extraOf(v as Record<string, unknown>, extraShape);
      return {
        tiktokUrl: v.tiktokUrl,
        title: v.title,
        description: v.description,
        categoryId: categoryIds.length ? v.category : null,
        fullName: v.fullName,
        displayName: v.displayName || v.fullName,
        email: v.email,
        phone: v.phone,
        consent: true,
        hashtagConfirmed: v.hashtagConfirmed,
        extra,
      };
    });
}

/** The entrant's own page: look-up by code plus the email or phone used. */
export const lookupSchema = z.object({
  code: z.string('form.required').trim().toUpperCase().pipe(z.string().min(1, 'form.required').max(40, 'form.tooLong')),
  contact: z.string('form.required').trim().pipe(z.string().min(1, 'form.required').max(254, 'form.tooLong')),
});

/** What an entrant may correct about the entry before the deadline (their own details: below). */
export const correctionSchema = z.object({
  title: requiredText(200),
  description: text(2000).optional().default(''),
  tiktokUrl: requiredText(2048),
});

export interface EntrantDetailsInput {
  displayName: string;
  email: string | null;
  phone: string | null;
  /** Only the fields the contest asks for; a national ID left empty (null) keeps the stored one. */
  extra: SubmissionInput['extra'];
}

const detailsCache = new Map<string, ReturnType<typeof buildEntrantDetailsSchema>>();

/**
 * The entrant's own details as the entrant page corrects them: the submit form's rules for the
 * display name, email, phone and the contest's extra fields (same normalisation, same minimum
 * age). The national ID is never sent back to the browser, so its field may stay empty.
 */
export function entrantDetailsSchema(contest: ContestRow, now: Date) {
  const key = `${contest.id}:${contest.updated_at?.getTime?.() ?? ''}:${JSON.stringify(contest.entrant_fields)}:${contest.min_age}:${dayIn(contest.time_zone, now)}`;
  let schema = detailsCache.get(key);
  if (!schema) {
    if (detailsCache.size > 500) detailsCache.clear();
    schema = buildEntrantDetailsSchema(contest, now);
    detailsCache.set(key, schema);
  }
  return schema;
}

function buildEntrantDetailsSchema(contest: ContestRow, now: Date) {
  const extraShape = extraFieldsShape(contest, now, (kind, mode) => (kind === 'nationalId' ? 'optional' : mode));
  return z
    .object({
      displayName: text(120).optional().default('').transform(normaliseName),
      email,
      phone,
      ...extraShape,
    })
    .superRefine(requireContact)
    .transform((v): EntrantDetailsInput => ({ displayName: v.displayName, email: v.email, phone: v.phone, extra: extraOf(v as Record<string, unknown>, extraShape) }));
}

/** The request for a one-time sign-in link: the email used, and the entry code if known. */
export const signInLinkRequestSchema = z.object({
  email: email.refine((s): s is string => s !== null, 'form.required'),
  entryCode: z
    .preprocess((v) => (v === undefined || v === null ? '' : v), z.string('form.invalid'))
    .transform((s) => s.trim().toUpperCase())
    .pipe(z.string().max(40, 'form.tooLong'))
    .transform((s) => s || null),
});

export const galleryQuerySchema = z.object({
  q: z.string().trim().max(100).optional().default(''),
  category: z.preprocess((v) => (v === '' || v === undefined ? null : Number(v)), z.number().int().nullable()).catch(null),
  cursor: z.string().max(200).optional().default(''),
  sort: z.enum(['newest', 'views']).catch('newest').default('newest'),
});

export const organiserListSchema = z.object({
  q: z.string().trim().max(100).optional().default(''),
  status: z.enum(['', 'received', 'eligible', 'not_eligible', 'shortlisted', 'awarded', 'withdrawn']).catch('').default(''),
  link: z.enum(['', 'ok', 'to_verify', 'failed']).catch('').default(''),
  hashtag: z.enum(['', 'unchecked', 'verified', 'missing']).catch('').default(''),
  page: z.coerce.number().int().min(1).max(100000).catch(1).default(1),
});
