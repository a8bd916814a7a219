/**
 * Bad input every form and API body must survive: a clear 4xx, never a 500, nothing half-written,
 * and what is stored comes back escaped. `stored` strings are legitimate text that must be kept
 * verbatim; `refused` strings carry characters no field accepts.
 */
export const STORED_VERBATIM = [
  "Robert'); DROP TABLE entries; --",
  "' OR '1'='1",
  '<script>alert("xss")</script>',
  '<img src=x onerror=alert(1)>',
  '<%= process.env.SESSION_SECRET %>',
  '{{7*7}} ${7*7} #{7*7}',
  '"><svg/onload=alert(1)>',
  'Nguyễn Thị Ánh Tuyết 👩‍👩‍👧 ＠ＦＵＬＬ',
];

export const REFUSED = {
  nul: 'abc\u0000def',
  bell: 'ding\u0007',
  rtlOverride: 'Giải\u202Etxt.exe',
  isolate: 'x\u2066y\u2069',
  c1: 'x\u0085y',
};

export const overLong = (n: number) => 'á'.repeat(n);

/** Shapes a string field must not accept: arrays, objects and prototype keys. */
export const WRONG_SHAPES: Record<string, unknown>[] = [
  { email: ['a@example.test', 'b@example.test'] },
  { email: { $ne: null } },
  { __proto__: { admin: true }, email: 'x@example.test' },
  { constructor: { prototype: { admin: true } } },
];

/** The escaped form of a string as EJS writes it into HTML. */
export function escapedHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;');
}
