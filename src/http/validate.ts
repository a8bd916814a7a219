import type { z } from 'zod';
import { ValidationError, type FieldErrors } from './errors';

/**
 * Schemas write their messages as locale keys (`z.string().min(1, 'form.required')`), so one
 * schema serves both languages; anything else becomes the generic 'form.invalid'.
 */
export function fieldErrorsOf(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const field = issue.path.length ? issue.path.map(String).join('.') : '_form';
    if (out[field]) continue;
    out[field] = /^[a-z][\w]*(\.[\w]+)+$/i.test(issue.message) ? issue.message : 'form.invalid';
  }
  return out;
}

/** Parses or throws a ValidationError carrying one message per field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw new ValidationError(fieldErrorsOf(r.error));
  return r.data;
}

export type ParseResult<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors };

export function tryParse<S extends z.ZodType>(schema: S, input: unknown): ParseResult<z.infer<S>> {
  const r = schema.safeParse(input);
  return r.success ? { ok: true, data: r.data } : { ok: false, errors: fieldErrorsOf(r.error) };
}
