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

/** For organiser pages; the route itself is already behind requireOrganiser. */
export async function loadContestForOrganiser(q: Queryable, slug: string): Promise<ContestRow> {
  const contest = await findContestBySlug(q, slug);
  if (!contest) throw new NotFoundError('contest_not_found');
  return contest;
}
