import fs from 'node:fs';
import path from 'node:path';
import { makeApp } from '../../helpers/app';
import { testConfig, testDb } from '../../helpers/db';
import { listRoutes } from '../../helpers/routes';

/**
 * Every route that takes a body (POST, PUT, PATCH, DELETE) has a hostile table: a `describe`
 * titled with the route's key ("POST /organiser/rounds/:roundId/criteria") in a hostile test file
 * (test/integration/hostile/*.test.ts or any test/integration/**\/hostile.test.ts). Routes that
 * take no fields are listed below, each with the reason; a route added without either fails here.
 */
const NO_FIELDS: Record<string, string> = {
  'POST /logout': 'a button: ends the session, reads no field',
  'POST /admin/accounts/:id/disable': 'a button: the account id is in the URL',
  'POST /admin/accounts/:id/enable': 'a button: the account id is in the URL',
  'POST /organiser/rounds/:roundId/criteria/:criterionId/delete': 'a button: both ids are in the URL',
  'POST /organiser/rounds/:roundId/judges/:judgeId/remove': 'a button: both ids are in the URL',
  'POST /organiser/rounds/:roundId/open': 'a button: reads no field',
  'POST /organiser/rounds/:roundId/refresh': 'a button: reads no field',
  'POST /organiser/rounds/:roundId/remind': 'a button: reads no field',
  'POST /organiser/contests/:slug/winners/publish': 'a button: reads no field (a hostile body is sent in results.test.ts set-up)',
};

const ROOT = path.join(__dirname, '..');

function hostileFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const full = path.join(dir, d.name);
    if (d.isDirectory()) return hostileFiles(full);
    const inHostileDir = path.basename(dir) === 'hostile' && d.name.endsWith('.test.ts') && d.name !== 'coverage.test.ts';
    return inHostileDir || d.name === 'hostile.test.ts' ? [full] : [];
  });
}

/** The route keys named by `describe('METHOD /path', …)` in the hostile files. */
function tabled(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const file of hostileFiles(ROOT)) {
    const src = fs.readFileSync(file, 'utf8');
    for (const m of src.matchAll(/describe\(\s*['"`]((?:GET|POST|PUT|PATCH|DELETE) \/[^'"`\s]*)/g)) {
      out.set(m[1]!, [...(out.get(m[1]!) ?? []), path.relative(ROOT, file)]);
    }
  }
  return out;
}

const db = testDb();
afterAll(() => db.close());

test('every route that takes a body has a hostile table or a reason it needs none', () => {
  const bodyRoutes = listRoutes(makeApp(db, testConfig())).filter((r) => r.method !== 'GET' && r.method !== 'HEAD').map((r) => `${r.method} ${r.path}`);
  const tables = tabled();
  expect(bodyRoutes.filter((k) => !tables.has(k) && !(k in NO_FIELDS))).toEqual([]);
  // The skip-list stays honest: no stale entries, no route both skipped and tabled.
  expect(Object.keys(NO_FIELDS).filter((k) => !bodyRoutes.includes(k))).toEqual([]);
  expect(Object.keys(NO_FIELDS).filter((k) => tables.has(k))).toEqual([]);
  // A table for a route the app does not have is a typo in a describe title.
  const registered = new Set(listRoutes(makeApp(db, testConfig())).map((r) => `${r.method} ${r.path}`));
  expect([...tables.keys()].filter((k) => !registered.has(k) && !k.endsWith('/*'))).toEqual([]);
});
