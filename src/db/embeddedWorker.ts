import { parentPort, workerData } from 'node:worker_threads';
import { createPGlite, serveOverSocket } from './embedded';

/**
 * The embedded database's own thread (started by startEmbedded in embedded.ts): PGlite and the
 * socket server the portal's pool connects to. On the main thread, every query's work in
 * WebAssembly held up every request in progress — a 1.3 s ranking stalled the whole portal — and
 * the portal's Node work and the database's shared one core.
 */
export interface WorkerInput {
  pgdata: string;
  maxConnections: number;
}

export type WorkerMessage = { kind: 'ready'; port: number } | { kind: 'failed'; message: string } | { kind: 'closed' };

async function main(port: NonNullable<typeof parentPort>): Promise<void> {
  const { pgdata, maxConnections } = workerData as WorkerInput;
  const db = await createPGlite(pgdata);
  const served = await serveOverSocket(db, maxConnections);
  port.on('message', (m: unknown) => {
    if (m !== 'close') return;
    void (async () => {
      await served.stop();
      await db.close();
      port.postMessage({ kind: 'closed' } satisfies WorkerMessage);
    })();
  });
  port.postMessage({ kind: 'ready', port: served.port } satisfies WorkerMessage);
}

if (parentPort) {
  const port = parentPort;
  main(port).catch((err: unknown) => port.postMessage({ kind: 'failed', message: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies WorkerMessage));
}
