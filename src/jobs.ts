import type { Config } from './config';
import type { Db } from './db';
import { analyzeGrownTables } from './db/statistics';
import { purgeOldCounters } from './http/rateLimit';
import type { Logger } from './shared/logger';
import { sweepOrphans } from './storage/files';
import { uploadStore } from './storage/store';
import { sendDueMail, smtpTransport } from './mail/sender';
import { verifyPendingLinks } from './entries/linkCheck';
import { purgeOldSignInLinks } from './entries/queries';

export interface JobDeps {
  config: Config;
  db: Db;
  logger: Logger;
}

interface Job {
  name: string;
  everyMs: number;
  /** Runs only where this holds (default: everywhere). */
  only?: (deps: JobDeps) => boolean;
  run(deps: JobDeps): Promise<unknown>;
}

/** Periodic work. Each job runs alone (never overlapping itself) and a failure is only logged. */
const JOBS: Job[] = [
  { name: 'purge-rate-counters', everyMs: 3600_000, run: ({ db }) => purgeOldCounters(db.pool) },
  { name: 'purge-sign-in-links', everyMs: 3600_000, run: ({ db }) => purgeOldSignInLinks(db.pool) },
  { name: 'send-outbox', everyMs: 15_000, run: ({ db, config }) => (config.SMTP_URL ? sendDueMail(db.pool, smtpTransport(config.SMTP_URL), config.MAIL_FROM) : Promise.resolve()) },
  { name: 'verify-tiktok-links', everyMs: 600_000, run: ({ db, config }) => verifyPendingLinks(db.pool, { enabled: config.TIKTOK_NETWORK, timeoutMs: config.TIKTOK_TIMEOUT_MS }) },
  // PGlite runs no autovacuum, so its planner would never learn how big the tables grew; on
  // the server, autovacuum gathers the statistics.
  { name: 'analyze-embedded', everyMs: 60_000, only: ({ db }) => db.engine === 'embedded', run: ({ db }) => analyzeGrownTables(db.pool) },
  { name: 'sweep-upload-orphans', everyMs: 3600_000, run: ({ db, config }) => sweepOrphans(db.pool, uploadStore(config.uploadDir)) },
];

/** The jobs that apply to this deployment. */
export function jobsFor(deps: JobDeps, jobs: Job[] = JOBS): Job[] {
  return jobs.filter((job) => !job.only || job.only(deps));
}

export function startBackgroundJobs(deps: JobDeps, jobs: Job[] = jobsFor(deps)): { stop(): Promise<void> } {
  const timers: NodeJS.Timeout[] = [];
  const running = new Set<Promise<unknown>>();
  let stopped = false;
  for (const job of jobs) {
    let busy = false;
    const tick = () => {
      if (busy || stopped) return;
      busy = true;
      const p = job
        .run(deps)
        .catch((err: unknown) => deps.logger.warn({ job: job.name, err: (err as Error).message }, 'background job failed'))
        .finally(() => {
          busy = false;
          running.delete(p);
        });
      running.add(p);
    };
    const t = setInterval(tick, job.everyMs);
    t.unref();
    timers.push(t);
    setTimeout(tick, 1000).unref();
  }
  return {
    async stop() {
      stopped = true;
      timers.forEach(clearInterval);
      await Promise.allSettled([...running]);
    },
  };
}
