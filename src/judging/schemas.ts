import { z } from 'zod';
import { isRealLocalDateTime, zonedLocalToUtc } from '../i18n/format';

const text = (max: number) => z.string().trim().normalize('NFC').max(max, 'form.invalid');
const required = (max: number) => z.string().trim().normalize('NFC').min(1, 'form.required').max(max, 'form.invalid');
const checkbox = z.preprocess((v) => v === 'on' || v === 'true' || v === '1' || v === true, z.boolean());
const optionalId = z.preprocess((v) => (v === '' || v === undefined || v === null ? null : v), z.coerce.number().int().positive('form.invalid').nullable());
const num = (msg = 'form.invalid') => z.preprocess((v) => (typeof v === 'string' ? v.replace(',', '.').trim() : v), z.coerce.number(msg).finite(msg));

/**
 * A round's deadline as the form's datetime-local gives it: wall-clock time in the contest's
 * zone (not the server's), within what PostgreSQL can store.
 */
const deadlineIn = (timeZone: string) =>
  z.preprocess(
    (v) => (v === '' || v === undefined || v === null ? null : typeof v === 'string' ? v.trim() : v),
    z.union([
      z.null(),
      z
        .string('form.invalid')
        // The shape and the calendar at once: 2026-02-30T10:00 is refused, not rolled over.
        .refine(isRealLocalDateTime, 'form.invalid')
        .transform((local) => zonedLocalToUtc(local, timeZone))
        .pipe(z.date().min(new Date('1970-01-01T00:00:00Z'), 'form.invalid').max(new Date('9999-12-31T23:59:59Z'), 'form.invalid')),
    ], 'form.invalid'),
  );

export const roundSchemaIn = (timeZone: string) => z
  .object({
    name: required(120),
    kind: z.enum(['screening', 'scoring'], 'form.invalid').default('scoring'),
    entrySource: z.enum(['all_eligible', 'promoted'], 'form.invalid').default('all_eligible'),
    categoryId: optionalId.optional(),
    blind: checkbox,
    othersScores: z.enum(['never', 'after_own', 'always'], 'form.invalid').default('after_own'),
    assignmentMode: z.enum(['all', 'n_per_entry'], 'form.invalid').default('all'),
    judgesPerEntry: z.preprocess((v) => (v === '' || v === undefined ? null : v), z.coerce.number().int('form.invalid').min(1, 'form.invalid').max(50, 'form.invalid').nullable()),
    deadlineAt: deadlineIn(timeZone).optional(),
  })
  .refine((r) => r.assignmentMode === 'all' || (r.judgesPerEntry ?? 0) >= 1, { path: ['judgesPerEntry'], message: 'judging.error.judgesPerEntry' });
export type RoundInput = z.infer<ReturnType<typeof roundSchemaIn>>;

export const criterionSchema = z
  .object({
    name: required(120),
    description: text(2000).default(''),
    weight: num().pipe(z.number().positive('judging.error.weight').max(999, 'judging.error.weight')),
    // The columns are numeric(6, 2): anything past ±9999.99 would be refused by the database.
    scaleMin: num().pipe(z.number().min(-9999, 'form.invalid').max(9999, 'form.invalid')).default(1),
    scaleMax: num().pipe(z.number().min(-9999, 'form.invalid').max(9999, 'form.invalid')).default(10),
    step: num().pipe(z.number().positive('form.invalid').max(9999, 'form.invalid')).default(1),
  })
  .refine((c) => c.scaleMax > c.scaleMin, { path: ['scaleMax'], message: 'judging.error.scale' });
export type CriterionInput = z.infer<typeof criterionSchema>;

export const judgeSchema = z.object({ judgeId: z.coerce.number().int().positive('form.required') });

export const conflictSchema = z
  .object({
    judgeId: z.coerce.number().int().positive('form.required'),
    entryCode: text(40).default(''),
    organisation: text(200).default(''),
    reason: text(1000).default(''),
  })
  .refine((c) => (c.entryCode === '') !== (c.organisation === ''), { path: ['entryCode'], message: 'judging.error.conflictTarget' });

/** A screening reason typed by the organiser, or `defaults=1` for the built-in list. */
export const screeningReasonSchema = z.object({
  label: text(200).default(''),
  defaults: z.preprocess((v) => v === '1', z.boolean()),
});

export const declareConflictSchema = z.object({ reason: required(1000) });

export const closeSchema = z.object({ force: checkbox });
export const moveSchema = z.object({ judgeId: z.coerce.number().int().positive('form.required') });

const scoreValue = z.preprocess(
  (v) => (v === '' || v === undefined || v === null ? null : typeof v === 'string' ? v.replace(',', '.') : v),
  z.coerce.number('judging.error.scoreOutOfScale').finite('judging.error.scoreOutOfScale').nullable(),
);

/** The scoring form (HTML) and the autosave body (JSON) share this shape. */
export const scoresheetSchema = z.object({
  scores: z.record(z.string().regex(/^[0-9]{1,18}$/), scoreValue).default({}),
  comment: text(5000).default(''),
  version: z.coerce.number().int().min(0),
  action: z.enum(['draft', 'submit', 'autosave']).default('draft'),
  verdict: z.preprocess((v) => (v === '' ? null : v), z.enum(['eligible', 'not_eligible']).nullable()).optional(),
});

export const queueQuerySchema = z.object({
  filter: z.enum(['all', 'todo', 'draft', 'done']).catch('all'),
  q: z.string().trim().max(100).catch(''),
  page: z.coerce.number().int().min(1).max(10000).catch(1),
});

export const pageQuerySchema = z.object({ page: z.coerce.number().int().min(1).max(10000).catch(1) });
