import type { Queryable } from '../db';
import { NotFoundError } from '../http/errors';
import type { SessionUser } from '../accounts/policy';
import { isOrganiser } from '../accounts/policy';
import { findContestBySlug, type ContestRow } from './queries';
import { isPublic } from './phase';

/**
 * Loading a contest for a page. A draft is invisible to the public (404, not 403: its existence
 * is not disclosed) and visible to organisers.
 */
export async function loadVisibleContest(q: Queryable, slug: string, user: SessionUser | undefined): Promise<ContestRow> {
  const contest = await findContestBySlug(q, slug);
  if (!contest) throw new NotFoundError('contest_not_found');
  if (!isPublic(contest) && !isOrganiser(user)) throw new NotFoundError('contest_not_found');
  return contest;
}

/** How long the submit path may validate against a contest it read earlier. */
export const RECENT_CONTEST_MS = 2000;
const recent = new Map<string, { contest: ContestRow; readAt: number }>();

/**
 * The contest for an anonymous submission, read at most RECENT_CONTEST_MS ago by this process.
 * Near a deadline thousands of submissions a minute each needed the same row; a stale copy is
 * safe because entries_submit writes only if the contest's version is still the one validated
 * against (migration 060), and the submit path re-reads it otherwise. Organisers always read afresh.
 */
export async function loadVisibleContestRecent(q: Queryable, slug: string, user: SessionUser | undefined, now = Date.now()): Promise<ContestRow> {
  if (isOrganiser(user)) return loadVisibleContest(q, slug, user);
  const hit = recent.get(slug);
  if (hit && now - hit.readAt < RECENT_CONTEST_MS) return hit.contest;
  const contest = await loadVisibleContest(q, slug, user);
  // Only contests that exist are kept, so the map is bounded by the number of contests.
  recent.set(slug, { contest, readAt: now });
  return contest;
}

/** Drops this process's copy after a version mismatch. */
export function forgetRecentContest(slug: string): void {
  recent.delete(slug);
}

/** For organiser pages; the route itself is already behind requireOrganiser. */
export async function loadContestForOrganiser(q: Queryable, slug: string): Promise<ContestRow> {
  const contest = await findContestBySlug(q, slug);
  if (!contest) throw new NotFoundError('contest_not_found');
  return contest;
}
