import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Express } from 'express';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import type { Db } from '../../src/db';
import { makeApp } from './app';
import { resetDb, testConfig } from './db';

/**
 * Headless Chromium (Debian's package) driven by playwright-core. Without the browser installed,
 * browser tests are skipped with a message; CI sets REQUIRE_BROWSER=1 so they can never be
 * skipped silently there.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const browserAvailable = fs.existsSync(CHROMIUM);
if (!browserAvailable && process.env.REQUIRE_BROWSER === '1') {
  throw new Error(`REQUIRE_BROWSER=1 but no Chromium at ${CHROMIUM}`);
}
/** `describeBrowser(...)` runs where Chromium exists and says why it is skipped elsewhere. */
export const describeBrowser = browserAvailable ? describe : describe.skip;
if (!browserAvailable) console.warn(`Browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium).`);

// A browser journey is many page loads plus accessibility scans; on a shared two-core machine
// it can take far longer than a unit test, and a timeout here says nothing about the portal.
jest.setTimeout(120_000);

export const ARTIFACTS_DIR = path.resolve(__dirname, '../../test-artifacts');

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 900 };

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Serves the app on a loopback port for the browser. */
export async function serve(app: Express): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface BrowserSite {
  /** Where the app is served ("http://127.0.0.1:<port>"); set once the file's beforeAll ran. */
  readonly url: string;
  readonly browser: Browser;
  /** A page in its own context, with `baseURL` set so `page.goto('/path')` works. */
  newPage(options?: BrowserContextOptions): Promise<Page>;
  /** A context (for several tabs, downloads…) with `baseURL` set. */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
}

/**
 * The set-up every browser test file shares, registered as that file's beforeAll/afterAll: an
 * emptied database, the app served on a loopback port with `testConfig(config)`, one Chromium.
 * All three are closed after the file (the pool too). Call it inside `describeBrowser`.
 */
export function useBrowserSite(db: Db, config: Record<string, string> = {}): BrowserSite {
  let served: { url: string; close(): Promise<void> } | undefined;
  let chrome: Browser | undefined;
  beforeAll(async () => {
    await resetDb(db.pool);
    served = await serve(makeApp(db, testConfig(config)));
    chrome = await launchBrowser();
  });
  afterAll(async () => {
    await chrome?.close();
    await served?.close();
    await db.close();
  });
  const ready = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('useBrowserSite: used before its beforeAll ran');
    return v;
  };
  return {
    get url() {
      return ready(served).url;
    },
    get browser() {
      return ready(chrome);
    },
    newPage: (options = {}) => ready(chrome).newPage({ baseURL: ready(served).url, ...options }),
    newContext: (options = {}) => ready(chrome).newContext({ baseURL: ready(served).url, ...options }),
  };
}

/**
 * Signs in through the form (opening /login first unless the page is already there, e.g. after a
 * redirect) and waits until the browser has left it. `keyboard` types and submits with the keys
 * only, as a keyboard user would. The page must come from a BrowserSite (it needs `baseURL`).
 */
export async function signIn(page: Page, email: string, password: string, o: { keyboard?: boolean } = {}): Promise<void> {
  const onLogin = () => page.url().startsWith('http') && new URL(page.url()).pathname === '/login';
  if (!onLogin()) await page.goto('/login');
  const submit = async () => {
    if (o.keyboard) {
      await page.focus('#f-email');
      await page.keyboard.type(email);
      await page.keyboard.press('Tab');
      await page.keyboard.type(password);
      await page.keyboard.press('Enter');
    } else {
      await page.fill('#f-email', email);
      await page.fill('#f-password', password);
      await page.click('form[action="/login"] button[type=submit]');
    }
  };
  await Promise.all([page.waitForURL((u) => u.pathname !== '/login'), submit()]);
}

/** Saves a full-page screenshot as an artefact of the run (never committed). */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Collects console errors and failed requests of a page, to assert none happened. */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  // A form re-rendered with 422 is correct HTTP, yet Chromium logs it as a failed resource; only
  // page documents are excused, a failing script, stylesheet or fetch still counts.
  const documents = new Set<string>();
  page.on('request', (r) => {
    if (r.resourceType() === 'document') documents.add(r.url());
  });
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (m.text().startsWith('Failed to load resource') && documents.has(m.location().url)) return;
    problems.push(`console: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return problems;
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Runs axe-core (from node_modules, no CDN) on the page as it is now and returns the WCAG 2 A/AA
 * violations. The script goes in through the DevTools protocol, which our CSP does not govern, so
 * the page's own policy stays strict during the check.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(`${AXE_SOURCE}\n;0`);
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(opts: unknown): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const r = await axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
  });
}
