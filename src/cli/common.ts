import readline from 'node:readline';
import { Writable } from 'node:stream';
import { loadConfig, ConfigError, type Config } from '../config';
import type { Db } from '../db';
import { openDb } from '../db/connect';
import { migrate } from '../db/migrate';

/**
 * Opens the database for a command-line task: the server in DATABASE_URL, or the embedded one —
 * through the running portal's socket when the portal is up, else the data folder itself.
 * Migrations are applied first, so a task works on a fresh folder too.
 */
export async function withTaskDb<T>(fn: (db: Db, config: Config) => Promise<T>, opts: { migrate?: boolean } = {}): Promise<T> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const db = await openDb(config, { role: 'task' });
  try {
    if (opts.migrate !== false) await migrate(db.pool);
    return await fn(db, config);
  } finally {
    await db.close();
  }
}

/** Reads a line without echoing it (passwords). */
export function askHidden(question: string): Promise<string> {
  let muted = false;
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (!muted) process.stdout.write(chunk);
      cb();
    },
  });
  const rl = readline.createInterface({ input: process.stdin, output: out, terminal: true });
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      rl.close();
      process.stdout.write('\n');
      resolve(answer);
    });
    muted = true;
  });
}

export function fail(message: string, code = 1): never {
  console.error(message);
  process.exit(code);
}

/** Runs a task and exits: with the exit code the task set (e.g. a drill that failed), else 0. */
export function run(main: () => Promise<void>): void {
  main().then(
    () => process.exit(process.exitCode ?? 0),
    (err: unknown) => fail(err instanceof Error ? err.message : String(err)),
  );
}
