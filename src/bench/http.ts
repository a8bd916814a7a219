import http from 'node:http';

/** Minimal HTTP client with a cookie jar, for signing judges in before a load run. */
export class BenchSession {
  private cookies = new Map<string, string>();
  constructor(private readonly baseUrl: string) {}

  get cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  request(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string; location?: string }> {
    const url = new URL(path, this.baseUrl);
    return new Promise((resolve, reject) => {
      const req = http.request(
        { host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers: { cookie: this.cookieHeader, ...headers, ...(body ? { 'content-length': Buffer.byteLength(body) } : {}) } },
        (res) => {
          for (const c of ([] as string[]).concat(res.headers['set-cookie'] ?? [])) {
            const [pair] = c.split(';');
            const i = pair!.indexOf('=');
            this.cookies.set(pair!.slice(0, i), pair!.slice(i + 1));
          }
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text, location: res.headers.location }));
        },
      );
      req.on('error', reject);
      if (body) req.write(body);
      req.end();
    });
  }

  async login(email: string, password: string): Promise<void> {
    const page = await this.request('GET', '/login');
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
    if (!token) throw new Error('no CSRF token on the login page');
    const form = new URLSearchParams({ _csrf: token, email, password }).toString();
    const res = await this.request('POST', '/login', form, { 'content-type': 'application/x-www-form-urlencoded' });
    if (res.status !== 303) throw new Error(`login of ${email} answered ${res.status}`);
  }
}
