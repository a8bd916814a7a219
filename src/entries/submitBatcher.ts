import { DatabaseError, type Pool } from 'pg';
import { DbBadInputError, DbConstraintError } from '../db';
import * as q from './queries';

/** The most submissions one database call carries. */
export const MAX_BATCH = 64;
/** Calls of entries_submit_batch() a process keeps running at once. */
export const MAX_IN_FLIGHT = 2;

interface Waiting {
  payload: Record<string, unknown>;
  resolve(answer: q.SubmitAnswer): void;
  reject(err: unknown): void;
}

/** The database answered with an error, so the call's implicit transaction wrote nothing. */
function refusedByDatabase(err: unknown): boolean {
  return err instanceof DatabaseError || err instanceof DbConstraintError || err instanceof DbBadInputError;
}

/**
 * Group commit for the submit path (migration 064). A submission is sent at once when fewer than
 * MAX_IN_FLIGHT calls are running; otherwise it waits for one to end and goes with the others that
 * waited. No timer: an idle portal answers as fast as before, and a busy one sends fewer, larger
 * transactions. An answer is given only after the call that carried it has committed.
 */
export class SubmitBatcher {
  private readonly queue: Waiting[] = [];
  private inFlight = 0;
  /** Database calls made, submissions carried, and submissions sent again alone. */
  readonly stats = { calls: 0, items: 0, retriedAlone: 0 };

  constructor(private readonly pool: Pool) {}

  submit(payload: Record<string, unknown>): Promise<q.SubmitAnswer> {
    return new Promise((resolve, reject) => {
      this.queue.push({ payload, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.queue.length) {
      const batch = this.queue.splice(0, MAX_BATCH);
      this.inFlight += 1;
      void this.send(batch).finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
    }
  }

  private async send(batch: Waiting[]): Promise<void> {
    this.stats.calls += 1;
    this.stats.items += batch.length;
    if (batch.length === 1) return this.alone(batch[0] as Waiting);
    let answers: q.SubmitAnswer[];
    try {
      answers = await q.submitBatch(this.pool, batch.map((w) => w.payload));
    } catch (err) {
      if (!refusedByDatabase(err)) {
        // The connection failed: whether the call committed is unknown, and sending the items
        // again could refuse an entry as a duplicate of itself. Each request gets the error.
        for (const w of batch) w.reject(err);
        return;
      }
      // One item's error rolled back the whole call: each goes again alone, for its own answer.
      this.stats.retriedAlone += batch.length;
      await Promise.all(batch.map((w) => this.alone(w)));
      return;
    }
    batch.forEach((w, i) => w.resolve(answers[i] as q.SubmitAnswer));
  }

  private async alone(w: Waiting): Promise<void> {
    try {
      w.resolve(await q.submitInOneCall(this.pool, w.payload));
    } catch (err) {
      w.reject(err);
    }
  }
}

const batchers = new WeakMap<Pool, SubmitBatcher>();

/** One batcher per pool, so every request of a process shares it. */
export function submitBatcherFor(pool: Pool): SubmitBatcher {
  let b = batchers.get(pool);
  if (!b) {
    b = new SubmitBatcher(pool);
    batchers.set(pool, b);
  }
  return b;
}
