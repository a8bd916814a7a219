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

/**
 * Characters no form field needs: C0/C1 controls other than tab and line breaks (PostgreSQL
 * refuses NUL outright) and the bidirectional overrides that make a name read backwards in a
 * list (U+202A–U+202E, U+2066–U+2069). Every form and API body is screened before its schema.
 */
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

export function forbiddenCharErrors(input: unknown): FieldErrors {
  const out: FieldErrors = {};
  const walk = (v: unknown, path: string, depth: number) => {
    if (depth > 8) return;
    if (typeof v === 'string') {
      if (FORBIDDEN_CHARS.test(v)) out[path || '_form'] = 'form.controlChars';
    } else if (Array.isArray(v)) {
      v.forEach((x) => walk(x, path, depth + 1));
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) walk(x, path ? `${path}.${k}` : k, depth + 1);
    }
  };
  walk(input, '', 0);
  return out;
}

/** Parses or throws a ValidationError carrying one message per field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const r = tryParse(schema, input);
  if (!r.ok) throw new ValidationError(r.errors);
  return r.data;
}

export type ParseResult<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors };

export function tryParse<S extends z.ZodType>(schema: S, input: unknown): ParseResult<z.infer<S>> {
  const r = schema.safeParse(input);
  const forbidden = forbiddenCharErrors(input);
  if (r.success && !Object.keys(forbidden).length) return { ok: true, data: r.data };
  return { ok: false, errors: { ...(r.success ? {} : fieldErrorsOf(r.error)), ...forbidden } };
}
