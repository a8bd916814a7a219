import http from 'node:http';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config';
import { openDb } from './db/connect';
import { DataDirBusyError } from './db/embedded';
import { migrate } from './db/migrate';
import { startBackgroundJobs } from './jobs';
import { createLogger } from './shared/logger';
import { resolveSessionSecret } from './shared/secret';
import { sweepPlacedOrphans } from './storage/files';
import { uploadStore } from './storage/store';

/** Start: config → database → migrations → app → listen; stop cleanly on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.LOG_LEVEL);

  let db;
  try {
    db = await openDb(config, { role: 'portal', logger });
  } catch (err) {
    if (err instanceof DataDirBusyError) {
      console.error(`${err.message}\nStop that process first, or point DATA_DIR at another folder.`);
      process.exit(3);
    }
    throw err;
  }
  const applied = await migrate(db.pool).catch(async (err: Error) => {
    console.error(err.message);
    await db.close().catch(() => undefined);
    process.exit(4);
  });
  if (applied.length) logger.info({ applied }, 'migrations applied');
  // A crash between an upload's move into the store and its COMMIT left a file no row points at.
  const swept = await sweepPlacedOrphans(db.pool, uploadStore(config.uploadDir));
  if (swept) logger.info({ swept }, 'files of interrupted submissions removed');

  const app = createApp({ config, db, logger, sessionSecret: resolveSessionSecret(config) });
  const server = http.createServer(app);
  // Uploads of several hundred MB from phones take minutes; the default 5-minute timeout would cut them.
  server.requestTimeout = 60 * 60_000;
  server.headersTimeout = 60_000;
  const jobs = config.BACKGROUND_JOBS ? startBackgroundJobs({ config, db, logger }) : { stop: async () => undefined };

  let shuttingDown = false;
  const shutdown = async (signal: string, code = 0) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.warn('requests still running at the shutdown deadline; closing them');
      server.closeAllConnections();
    }, config.SHUTDOWN_TIMEOUT_MS);
    force.unref();
    // Stop accepting; requests in flight finish, idle keep-alive sockets close now.
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
    clearTimeout(force);
    await jobs.stop();
    const store = app.locals.sessionStore as { close?: () => void } | undefined;
    store?.close?.();
    await db.close().catch((err: Error) => logger.warn({ err: err.message }, 'closing the database failed'));
    logger.info('stopped');
    process.exit(code);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  // A rejected promise nobody awaited means a bug: log it and stop cleanly rather than run half-alive.
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason }, 'unhandled promise rejection');
    void shutdown('unhandledRejection', 1);
  });
  process.on('uncaughtException', (err) => {
    logger.error({ err }, 'uncaught exception');
    void shutdown('uncaughtException', 1);
  });

  // Listen only once the signal handlers are in place: a SIGTERM right after start must still stop cleanly.
  await new Promise<void>((resolve) => server.listen(config.PORT, config.HOST, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const url = config.PUBLIC_URL ?? `http://localhost:${port}`;
  // The two lines a person starting the portal looks for, printed plainly whatever LOG_LEVEL says.
  // eslint-disable-next-line no-console
  console.log(`Clipjury is running at ${url}\nDatabase: ${db.description}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
