import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { login } from '../../helpers/app';
import { ROOT } from '../../../src/paths';

/**
 * The portal as a user runs it: the compiled server on an embedded data folder, a command-line
 * task beside it, SIGTERM, and a restart that finds everything again.
 */
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipjury-proc-'));
const childEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, UPLOAD_DIR: path.join(dataDir, 'uploads'), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', NODE_ENV: 'development' };
  delete env.DATABASE_URL;
  delete env.TEST_DATABASE_URL;
  return env;
};

function startPortal(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/server.js')], { env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`portal did not start in 20 s:\n${out}`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve({ child, url: m[1] });
      }
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`portal exited with ${code}:\n${out}`));
    });
  });
}

function stop(child: ChildProcess): Promise<{ code: number | null; signal: string | null; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', (code, signal) => resolve({ code, signal, ms: Date.now() - t0 }));
    child.kill('SIGTERM');
  });
}

function task(name: string, args: string[]): string {
  return execFileSync(process.execPath, [path.join(ROOT, 'dist/cli', `${name}.js`), ...args], { env: childEnv(), encoding: 'utf8', timeout: 30_000 });
}

beforeAll(() => {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/ensure-build.js')], { stdio: 'inherit' });
}, 120_000);
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

test('start, create a user from a second process while running, SIGTERM, restart: the data is still there', async () => {
  const first = await startPortal();
  const port = new URL(first.url).port;
  const base = `http://127.0.0.1:${port}`;
  expect((await request(base).get('/healthz')).body).toEqual({ status: 'ok', db: 'ok' });
  expect((await request(base).get('/')).status).toBe(200);

  // A command-line task goes through the running portal's socket instead of opening the folder.
  const out = task('userCreate', ['--email', 'organiser@example.test', '--role', 'organiser', '--name', 'Ban tổ chức', '--password', 'mật khẩu dài đủ']);
  expect(out).toContain('Created organiser organiser@example.test');
  const agent = request.agent(base);
  expect((await login(agent, 'organiser@example.test', 'mật khẩu dài đủ')).status).toBe(303);
  expect((await agent.get('/staff')).status).toBe(200);

  const stopped = await stop(first.child);
  expect(stopped.code).toBe(0);
  expect(stopped.ms).toBeLessThan(10_000);
  expect(fs.existsSync(path.join(dataDir, 'clipjury.lock'))).toBe(false);

  const second = await startPortal();
  const base2 = `http://127.0.0.1:${new URL(second.url).port}`;
  const agent2 = request.agent(base2);
  expect((await login(agent2, 'organiser@example.test', 'mật khẩu dài đủ')).status).toBe(303);
  expect((await stop(second.child)).code).toBe(0);
}, 90_000);

test('with nothing running, a task opens the folder itself; a stale lock from a crash does not block', async () => {
  fs.writeFileSync(path.join(dataDir, 'clipjury.lock'), JSON.stringify({ pid: 999_999, host: '127.0.0.1', port: 1, startedAt: new Date(0).toISOString() }));
  const out = task('migrate', []);
  expect(out).toContain('Nothing to apply');
  expect(out).toContain(`embedded PostgreSQL (PGlite) in ${dataDir}`);
  const portal = await startPortal();
  expect(await stop(portal.child)).toMatchObject({ code: 0, signal: null });
}, 60_000);

test('a second portal on the same folder refuses to start and says why', async () => {
  const portal = await startPortal();
  const second = spawn(process.execPath, [path.join(ROOT, 'dist/server.js')], { env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  second.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => second.once('exit', resolve));
  expect(code).toBe(3);
  expect(err).toContain(`is in use by process ${portal.child.pid}`);
  expect((await stop(portal.child)).code).toBe(0);
}, 60_000);

test('the embedded database works on its own thread: a page answers while a long query runs', async () => {
  const portal = await startPortal();
  const base = `http://127.0.0.1:${new URL(portal.url).port}`;
  const lock = JSON.parse(fs.readFileSync(path.join(dataDir, 'clipjury.lock'), 'utf8')) as { port: number };
  const client = new Client({ host: '127.0.0.1', port: lock.port, user: 'postgres', database: 'postgres' });
  await client.connect();
  const order: string[] = [];
  const slow = client.query('SELECT pg_sleep(2)').then(() => order.push('query'));
  // Let the query reach the database before asking for the page.
  await new Promise((r) => setTimeout(r, 300));
  // A page that needs no query: PGlite serves one query at a time whatever the thread, so what is
  // tested is that the portal's own thread stays free while the database works.
  const page = await request(base).get('/static/favicon.svg');
  order.push('page');
  expect(page.status).toBe(200);
  await slow;
  expect(order).toEqual(['page', 'query']);
  await client.end();
  expect((await stop(portal.child)).code).toBe(0);
}, 60_000);
