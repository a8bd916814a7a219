import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { AppError } from '../http/errors';
import { removeQuietly } from '../storage/store';
import { importSnapshots, type ImportOptions } from './importer';
import { invalidateDashboard } from './service';

/**
 * Imports started from the browser run in the background of the portal process, so the page can
 * show a progress bar; the job's state lives in memory (a restart forgets it, the import itself
 * is all-or-nothing in the database). Finished jobs are forgotten after an hour.
 */
export interface ImportJob {
  id: string;
  contestId: number;
  userId: number | null;
  state: 'running' | 'done' | 'failed';
  rowsRead: number;
  bytesRead: number;
  totalBytes: number;
  importId?: number;
  sameFileAs?: number | null;
  errorKey?: string;
  errorParams?: Record<string, string | number>;
  startedAt: number;
  finishedAt?: number;
}

const jobs = new Map<string, ImportJob>();
const KEEP_MS = 3600_000;

function sweep(now: number) {
  for (const [id, j] of jobs) if (j.finishedAt && now - j.finishedAt > KEEP_MS) jobs.delete(id);
}

export function startImportJob(pool: Pool, opts: ImportOptions & { userId: number | null; removeFileAfter?: boolean }): ImportJob {
  sweep(Date.now());
  const job: ImportJob = { id: randomUUID(), contestId: opts.contest.id, userId: opts.userId, state: 'running', rowsRead: 0, bytesRead: 0, totalBytes: 0, startedAt: Date.now() };
  jobs.set(job.id, job);
  const done = importSnapshots(pool, {
    ...opts,
    onProgress: (p) => {
      job.rowsRead = p.rowsRead;
      job.bytesRead = p.bytesRead;
      job.totalBytes = p.totalBytes;
    },
  }).then(
    (r) => {
      invalidateDashboard(opts.contest.id);
      job.state = 'done';
      job.importId = r.importId;
      job.sameFileAs = r.sameFileAs;
    },
    (err: unknown) => {
      job.state = 'failed';
      if (err instanceof AppError) {
        job.errorKey = err.messageKey;
        job.errorParams = err.params;
      } else {
        job.errorKey = 'metrics.import.badFile';
        job.errorParams = { reason: err instanceof Error ? err.message.slice(0, 200) : 'unknown' };
      }
    },
  );
  void done.finally(() => {
    job.finishedAt = Date.now();
    if (opts.removeFileAfter) void removeQuietly(opts.filePath);
  });
  pending.set(job.id, done);
  void done.finally(() => pending.delete(job.id));
  return job;
}

const pending = new Map<string, Promise<void>>();

export function findImportJob(id: string, contestId: number): ImportJob | undefined {
  const j = jobs.get(id);
  return j && j.contestId === contestId ? j : undefined;
}

/** For tests and shutdown: resolves when every running import has finished. */
export async function settleImportJobs(): Promise<void> {
  await Promise.allSettled([...pending.values()]);
}
