import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { PGlite, type Extension } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { Worker } from 'node:worker_threads';
import type { WorkerInput, WorkerMessage } from './embeddedWorker';

/**
 * The embedded engine: PGlite (PostgreSQL in WebAssembly) behind a loopback socket, so the
 * rest of the portal talks to it with `pg` exactly as it talks to a server.
 *
 * Only one process may open a data folder. The owner records its pid and socket port in a lock
 * file; command-line tasks read it and connect through the socket instead of opening the folder.
 */

export interface EmbeddedServer {
  host: string;
  port: number;
  close(): Promise<void>;
}

export interface LockInfo {
  pid: number;
  host: string;
  port: number;
  startedAt: string;
}

export class DataDirBusyError extends Error {
  constructor(readonly lock: LockInfo, dataDir: string) {
    super(`The data folder ${dataDir} is in use by process ${lock.pid} (started ${lock.startedAt}).`);
    this.name = 'DataDirBusyError';
  }
}

const LOCK_FILE = 'clipjury.lock';

export function lockPath(dataDir: string): string {
  return path.join(dataDir, LOCK_FILE);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function canConnect(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export function readLock(dataDir: string): LockInfo | undefined {
  try {
    return JSON.parse(fs.readFileSync(lockPath(dataDir), 'utf8')) as LockInfo;
  } catch {
    return undefined;
  }
}

/**
 * The portal that owns the folder, if one is running and answering. A lock whose process is gone
 * (a crash, kill -9) is stale and ignored; so is one whose pid was reused by an unrelated process
 * that does not answer on the recorded port.
 */
export async function findRunningOwner(dataDir: string): Promise<LockInfo | undefined> {
  const lock = readLock(dataDir);
  if (!lock || lock.pid === process.pid || !pidAlive(lock.pid)) return undefined;
  if (lock.port > 0 && (await canConnect(lock.host, lock.port))) return lock;
  // A process that is still starting has written port 0; give it the benefit of the doubt.
  const age = Date.now() - Date.parse(lock.startedAt);
  return lock.port === 0 && age < 60_000 ? lock : undefined;
}

function writeLockExclusive(file: string, info: LockInfo): boolean {
  try {
    const fd = fs.openSync(file, 'wx', 0o600);
    fs.writeSync(fd, JSON.stringify(info));
    fs.closeSync(fd);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

async function acquireLock(dataDir: string): Promise<void> {
  const file = lockPath(dataDir);
  const info: LockInfo = { pid: process.pid, host: '127.0.0.1', port: 0, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (writeLockExclusive(file, info)) return;
    const owner = await findRunningOwner(dataDir);
    if (owner) throw new DataDirBusyError(owner, dataDir);
    fs.rmSync(file, { force: true });
  }
  throw new Error(`Could not take the lock ${file}`);
}

/**
 * The contrib modules ship CommonJS builds, but the package's type map points only at the ESM
 * declarations, so TypeScript refuses a static import from this CommonJS project.
 */
function contrib(name: string): Extension {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(`@electric-sql/pglite/contrib/${name}`) as Record<string, Extension>;
  const ext = mod[name];
  if (!ext) throw new Error(`PGlite extension ${name} not found`);
  return ext;
}

export async function createPGlite(dataDir?: string): Promise<PGlite> {
  return PGlite.create({
    dataDir,
    extensions: { citext: contrib('citext'), pg_trgm: contrib('pg_trgm'), pgcrypto: contrib('pgcrypto'), unaccent: contrib('unaccent') },
  });
}

/** Serves an already-open PGlite on 127.0.0.1 (random port unless given). */
export async function serveOverSocket(db: PGlite, maxConnections: number, port = 0): Promise<{ port: number; stop(): Promise<void> }> {
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port, maxConnections });
  await server.start();
  const conn = server.getServerConn();
  const actualPort = Number(conn.slice(conn.lastIndexOf(':') + 1));
  return { port: actualPort, stop: () => server.stop() };
}

/** Starts the database thread and waits until it serves, or says why it could not. */
function startDatabaseThread(input: WorkerInput): Promise<{ worker: Worker; port: number }> {
  const worker = new Worker(path.join(__dirname, 'embeddedWorker.js'), { workerData: input });
  return new Promise((resolve, reject) => {
    const onExit = (code: number) => reject(new Error(`The embedded database thread stopped while starting (exit code ${code}).`));
    worker.once('error', reject);
    worker.once('exit', onExit);
    worker.once('message', (m: WorkerMessage) => {
      worker.off('error', reject);
      worker.off('exit', onExit);
      if (m.kind === 'ready') resolve({ worker, port: m.port });
      else {
        void worker.terminate();
        reject(new Error(`The embedded database did not start: ${m.kind === 'failed' ? m.message : m.kind}`));
      }
    });
  });
}

/**
 * Opens the data folder (taking its lock) and serves it on a loopback port, from a thread of its
 * own (embeddedWorker.ts).
 */
export async function startEmbedded(dataDir: string, maxConnections: number): Promise<EmbeddedServer> {
  fs.mkdirSync(dataDir, { recursive: true });
  await acquireLock(dataDir);
  try {
    const { worker, port } = await startDatabaseThread({ pgdata: path.join(dataDir, 'pgdata'), maxConnections });
    const info: LockInfo = { pid: process.pid, host: '127.0.0.1', port, startedAt: new Date().toISOString() };
    fs.writeFileSync(lockPath(dataDir), JSON.stringify(info), { mode: 0o600 });
    let closing = false;
    worker.on('error', (err) => {
      if (!closing) throw err;
    });
    worker.on('exit', (code) => {
      // Without its database the portal can do nothing: fail loudly, as a crash in-process would.
      if (!closing) throw new Error(`The embedded database thread stopped (exit code ${code}).`);
    });
    return {
      host: '127.0.0.1',
      port,
      async close() {
        if (closing) return;
        closing = true;
        const closed = new Promise<void>((resolve) => {
          worker.on('message', (m: WorkerMessage) => m.kind === 'closed' && resolve());
          worker.once('exit', () => resolve());
        });
        worker.postMessage('close');
        await closed;
        await worker.terminate();
        releaseLock(dataDir);
      },
    };
  } catch (err) {
    releaseLock(dataDir);
    throw err;
  }
}

function releaseLock(dataDir: string): void {
  const lock = readLock(dataDir);
  if (lock?.pid === process.pid) fs.rmSync(lockPath(dataDir), { force: true });
}
