import { z } from 'zod';

const id = z.coerce.number().int().positive();
const optionalId = z.preprocess((v) => (v === '' || v === undefined ? undefined : v), id.optional());
const codes = z.string().max(5000).transform((s) => s.split(/[\s,;]+/).map((c) => c.trim().toUpperCase()).filter(Boolean));

export const resultsQuerySchema = z.object({
  round: optionalId,
  method: z.enum(['plain', 'normalised']).catch('plain'),
  category: optionalId,
  flag: z.enum(['spread', 'tied', '']).catch(''),
  page: z.coerce.number().int().min(1).max(100000).catch(1),
});

export const tieSchema = z.object({
  round: id,
  method: z.enum(['plain', 'normalised']).catch('plain'),
  codes,
});

export const promoteSchema = z.object({
  round: id,
  method: z.enum(['plain', 'normalised']).catch('plain'),
  mode: z.enum(['top', 'top_per_category', 'selected']),
  n: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(1).max(100000).optional()),
  codes: codes.optional(),
});

export const addAwardSchema = z.object({
  tierId: id,
  entryCode: z.string().trim().min(1, 'form.required').max(40),
  reason: z.string().trim().min(1, 'winners.reasonRequired').max(2000),
});

export const replaceAwardSchema = z.object({
  entryCode: z.string().trim().min(1, 'form.required').max(40),
  reason: z.string().trim().min(1, 'winners.reasonRequired').max(2000),
});

export const reasonSchema = z.object({ reason: z.string().trim().min(1, 'winners.reasonRequired').max(2000) });

export const exportQuerySchema = z.object({
  round: optionalId,
  method: z.enum(['plain', 'normalised']).catch('plain'),
});

export const auditQuerySchema = z.object({
  action: z.string().max(80).regex(/^[a-z_.]*$/).catch(''),
  page: z.coerce.number().int().min(1).max(100000).catch(1),
});
