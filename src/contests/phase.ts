/**
 * Where a contest stands. Only draft/published/judging/results_published/archived is stored;
 * whether a published contest is scheduled, open or closed is computed from its dates and the
 * server clock, never from a flag someone forgot to flip.
 */
export type StoredContestState = 'draft' | 'published' | 'judging' | 'results_published' | 'archived';
export type ContestPhase = 'draft' | 'scheduled' | 'open' | 'closed' | 'judging' | 'results_published' | 'archived';

export interface ContestWindow {
  state: StoredContestState;
  opens_at: Date | null;
  closes_at: Date | null;
  grace_minutes: number;
}

/** The last instant a submission is accepted: the deadline plus the grace period. */
export function submissionsEndAt(c: ContestWindow): Date | null {
  return c.closes_at ? new Date(c.closes_at.getTime() + c.grace_minutes * 60_000) : null;
}

export function contestPhase(c: ContestWindow, now: Date = new Date()): ContestPhase {
  if (c.state !== 'published') return c.state;
  if (!c.opens_at || !c.closes_at) return 'scheduled';
  if (now < c.opens_at) return 'scheduled';
  const end = submissionsEndAt(c) as Date;
  return now <= end ? 'open' : 'closed';
}

/** True while the form takes entries: opened, and not past the deadline plus grace. */
export function acceptsSubmissions(c: ContestWindow, now: Date = new Date()): boolean {
  return contestPhase(c, now) === 'open';
}

/** Entrants may correct or withdraw their entry until the deadline (grace included). */
export const acceptsCorrections = acceptsSubmissions;

/** Visible to the public: everything but drafts. */
export function isPublic(c: { state: StoredContestState }): boolean {
  return c.state !== 'draft';
}
