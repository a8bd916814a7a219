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

/** The message a field with a refused character gets (Vietnamese, the default language). */
export const CONTROL_CHARS_MESSAGE = 'Có ký tự điều khiển hoặc ký tự đảo chiều văn bản không được phép.';

/**
 * A raw JSON body with `__proto__` and `constructor.prototype` keys in front of `body`'s own
 * (JSON.stringify drops a `__proto__` key, so the text is spliced).
 */
export function withPrototypeKeys(body: Record<string, unknown>): string {
  const own = JSON.stringify(body).slice(1, -1);
  return `{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}${own ? `,${own}` : ''}}`;
}

/** After a body with prototype keys: no object anywhere grew the key. */
export function expectNotPolluted(): void {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
}

/**
 * What the user is told after a POST: the page itself, or the page a 303 leads to (where the
 * flash message is shown). `status` is the POST's own status.
 */
export async function outcome(agent: { get(url: string): PromiseLike<{ status: number; text: string }> }, res: { status: number; text: string; headers: Record<string, string> }): Promise<{ status: number; location?: string; text: string }> {
  if (res.status !== 303) return { status: res.status, text: res.text };
  const page = await agent.get(res.headers.location!);
  return { status: 303, location: res.headers.location, text: page.text };
}
