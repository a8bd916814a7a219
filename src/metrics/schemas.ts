import { z } from 'zod';
import { isRealLocalDateTime } from '../i18n/format';
import { parseCount } from './parse';

/** Forms of the metrics feature; messages are locale keys. */
const column = z
  .string()
  .optional()
  .transform((s) => (s === undefined || s === '' ? undefined : Number(s)))
  .refine((n) => n === undefined || (Number.isInteger(n) && n >= 0 && n < 200), 'form.invalid');

const localDateTime = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/, 'metrics.import.badTime')
  .refine(isRealLocalDateTime, 'metrics.import.badTime');

export const mappingSchema = z.object({
  video: column,
  views: column,
  likes: column,
  comments: column,
  shares: column,
  capturedAt: column,
  capturedAtAll: z.union([z.literal(''), localDateTime]).optional(),
});

const count = z
  .string()
  .trim()
  .min(1, 'form.required')
  .transform((s, ctx) => {
    const r = parseCount(s);
    if (!r.ok) {
      ctx.addIssue({ code: 'custom', message: 'metrics.manual.count' });
      return z.NEVER;
    }
    return r.value;
  });

export const manualSnapshotSchema = z.object({
  capturedAt: localDateTime,
  views: count,
  likes: count,
  comments: count,
  shares: count,
});

const weight = z
  .string()
  .trim()
  .optional()
  .transform((s) => (s === undefined || s === '' ? 0 : Number(s.replace(',', '.'))))
  .refine((n) => Number.isFinite(n) && n >= 0 && n <= 1000, 'form.invalid');

export const tierRuleSchema = z.object({
  formula: z.enum(['views', 'likes', 'weighted'], { message: 'form.invalid' }),
  wViews: weight,
  wLikes: weight,
  wComments: weight,
  wShares: weight,
  cutoff: localDateTime,
});
