import type { Queryable } from '../db';
import { maybeOne, execute } from '../db';
import { recordAudit, type Actor } from '../audit/service';
import { ConflictError, NotFoundError } from '../http/errors';
import type { StoredContestState } from './phase';

/**
 * The stored lifecycle of a contest: draft → published (scheduled/open/closed by its dates) →
 * judging → results_published → archived. Every change goes through changeContestState, which
 * checks the transition, writes and audits in the caller's transaction. Other features (results
 * publication, for one) call it with their own transaction so the contest and their change stand
 * or fall together.
 */
const TRANSITIONS: Record<StoredContestState, readonly StoredContestState[]> = {
  draft: ['published'],
  // Back to draft only while nothing depends on it; the service that offers it checks entries.
  published: ['draft', 'judging'],
  judging: ['published', 'results_published'],
  // Unpublishing results (a correction before the ceremony) goes back to judging.
  results_published: ['judging', 'archived'],
  archived: ['results_published'],
};

export function canChangeContestState(from: StoredContestState, to: StoredContestState): boolean {
  return TRANSITIONS[from].includes(to);
}

export async function changeContestState(
  tx: Queryable,
  change: { contestId: number; to: StoredContestState; actor: Actor; reason?: string | null },
): Promise<{ from: StoredContestState; to: StoredContestState }> {
  const c = await maybeOne<{ id: number; state: StoredContestState }>(tx, 'SELECT id, state FROM contests WHERE id = $1 FOR UPDATE', [change.contestId]);
  if (!c) throw new NotFoundError('contest_not_found');
  if (c.state === change.to) return { from: c.state, to: c.state };
  if (!canChangeContestState(c.state, change.to)) {
    throw new ConflictError('invalid_transition', 'contests.invalidTransition', { from: c.state, to: change.to });
  }
  await execute(tx, 'UPDATE contests SET state = $2, updated_at = now() WHERE id = $1', [c.id, change.to]);
  await recordAudit(tx, change.actor, {
    action: 'contest.state_changed',
    subjectType: 'contest',
    subjectId: c.id,
    contestId: c.id,
    before: { state: c.state },
    after: { state: change.to },
    reason: change.reason ?? null,
  });
  return { from: c.state, to: change.to };
}

/** Called by the results feature inside its publication transaction. */
export const markResultsPublished = (tx: Queryable, contestId: number, actor: Actor) =>
  changeContestState(tx, { contestId, to: 'results_published', actor });
export const markResultsUnpublished = (tx: Queryable, contestId: number, actor: Actor, reason?: string) =>
  changeContestState(tx, { contestId, to: 'judging', actor, reason });
