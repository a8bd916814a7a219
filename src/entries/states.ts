import type { Queryable } from '../db';
import { maybeOne, execute } from '../db';
import { recordAudit, type Actor } from '../audit/service';
import { ConflictError, NotFoundError } from '../http/errors';

/**
 * An entry's life: received → eligible / not_eligible (screening) → shortlisted → awarded;
 * withdrawn by its entrant before the deadline. Every change goes through changeEntryStatus,
 * which checks the transition, writes and audits in the caller's transaction.
 */
export const ENTRY_STATUSES = ['received', 'eligible', 'not_eligible', 'shortlisted', 'awarded', 'withdrawn'] as const;
export type EntryStatus = (typeof ENTRY_STATUSES)[number];

const TRANSITIONS: Record<EntryStatus, readonly EntryStatus[]> = {
  received: ['eligible', 'not_eligible', 'withdrawn'],
  // Screening decisions can be revised; a shortlisted entry came from an eligible one.
  eligible: ['not_eligible', 'shortlisted', 'withdrawn', 'awarded'],
  not_eligible: ['eligible', 'withdrawn'],
  shortlisted: ['eligible', 'awarded', 'not_eligible', 'withdrawn'],
  awarded: ['shortlisted', 'eligible'],
  withdrawn: [],
};

/** Entries that can still be judged or awarded. */
export const LIVE_FOR_JUDGING: readonly EntryStatus[] = ['eligible', 'shortlisted', 'awarded'];

export function canTransition(from: EntryStatus, to: EntryStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export interface StatusChange {
  entryId: number;
  to: EntryStatus;
  actor: Actor;
  reasonId?: number | null;
  note?: string | null;
  /** Only when a specific current status is expected (e.g. bulk actions on a filtered list). */
  expectFrom?: EntryStatus;
}

export async function changeEntryStatus(tx: Queryable, change: StatusChange): Promise<{ from: EntryStatus; to: EntryStatus }> {
  const entry = await maybeOne<{ id: number; contest_id: number; status: EntryStatus; code: string }>(
    tx,
    'SELECT id, contest_id, status, code FROM entries WHERE id = $1 FOR UPDATE',
    [change.entryId],
  );
  if (!entry) throw new NotFoundError('entry_not_found');
  if (change.expectFrom && entry.status !== change.expectFrom) {
    throw new ConflictError('status_changed', 'entries.statusChanged');
  }
  if (entry.status === change.to) return { from: entry.status, to: entry.status };
  if (!canTransition(entry.status, change.to)) {
    throw new ConflictError('invalid_transition', 'entries.invalidTransition', { from: entry.status, to: change.to });
  }
  const screening = change.to === 'eligible' || change.to === 'not_eligible';
  await execute(
    tx,
    `UPDATE entries SET status = $2, updated_at = now(),
            withdrawn_at = CASE WHEN $2 = 'withdrawn' THEN now() ELSE withdrawn_at END,
            screening_reason_id = CASE WHEN $3 THEN $4::bigint ELSE screening_reason_id END,
            screening_note = CASE WHEN $3 THEN $5 ELSE screening_note END,
            screened_by = CASE WHEN $3 THEN $6::bigint ELSE screened_by END,
            screened_at = CASE WHEN $3 THEN now() ELSE screened_at END
      WHERE id = $1`,
    [entry.id, change.to, screening, change.reasonId ?? null, change.note ?? null, change.actor.id],
  );
  await recordAudit(tx, change.actor, {
    action: 'entry.status_changed',
    subjectType: 'entry',
    subjectId: entry.id,
    contestId: entry.contest_id,
    before: { status: entry.status },
    after: { status: change.to, reasonId: change.reasonId ?? null },
    reason: change.note ?? null,
  });
  return { from: entry.status, to: change.to };
}
