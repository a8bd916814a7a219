import type { Db } from '../../src/db';

/**
 * One feature's part of the permission matrix (test/integration/permissions/parts/<feature>.ts).
 * Each part lists the answers its routes give to each kind of user and builds the fixtures its
 * `:params` need, so features add their rows without touching each other's files.
 *
 * The six kinds of user:
 * - `anonymous`: no session at all;
 * - `entrant`: a browser that opened the private link of the part's fixture entry (no account);
 * - `judge`: a judge who sits on the panel of ANOTHER contest's open round;
 * - `roundJudge`: the judge the part's fixtures put on the panel of THIS round;
 * - `organiser`, `admin`: staff accounts.
 */
export type Who = 'anonymous' | 'entrant' | 'judge' | 'roundJudge' | 'organiser' | 'admin';
export const WHO: Who[] = ['anonymous', 'entrant', 'judge', 'roundJudge', 'organiser', 'admin'];
export type Row = Record<Who, number>;

/**
 * The four answers every route has; the entrant answers like anonymous and the judge of this
 * round like the judge of another round unless `over` says otherwise.
 */
export function row(base: Pick<Row, 'anonymous' | 'judge' | 'organiser' | 'admin'>, over: Partial<Row> = {}): Row {
  return { anonymous: base.anonymous, entrant: base.anonymous, judge: base.judge, roundJudge: base.judge, organiser: base.organiser, admin: base.admin, ...over };
}

export type Params = Record<string, string | number>;

/** Who "judge of this round" is: a user id (the judge factories use TEST_PASSWORD) or credentials. */
export type JudgeRef = number | { email: string; password: string };

export interface PartFixtures {
  params: Params;
  /** The judge on the panel of the part's round (signed in as `roundJudge`). */
  judge?: JudgeRef;
  /** The id of the part's entry: the `entrant` column opens that entry's private link first. */
  entrant?: number;
}

export interface MatrixPart {
  /** `METHOD /path/:param` → expected status per kind of user. */
  rows: Record<string, Row>;
  /**
   * Values for the part's `:params`, built once before the matrix runs; either the params
   * alone or `{ params, judge, entrant }` naming the part's own judge and entrant.
   */
  fixtures?(db: Db): Promise<Params | PartFixtures>;
  /** Extra form fields sent with every POST of this part (besides `_csrf`). */
  body?: Record<string, string>;
}

export function isPartFixtures(f: Params | PartFixtures): f is PartFixtures {
  return typeof (f as PartFixtures).params === 'object' && (f as PartFixtures).params !== null;
}

export const all = (n: number, over: Partial<Row> = {}): Row => row({ anonymous: n, judge: n, organiser: n, admin: n }, over);
export const staffOnly = (ok: number, over: Partial<Row> = {}): Row => row({ anonymous: 303, judge: ok, organiser: ok, admin: ok }, over);
export const adminOnly = (ok: number, anon = 303, over: Partial<Row> = {}): Row => row({ anonymous: anon, judge: 403, organiser: 403, admin: ok }, over);
/** Organiser pages: admins are organisers too; a judge gets 403; anonymous GETs go to login. */
export const organiserOnly = (ok: number, anon = 303, over: Partial<Row> = {}): Row => row({ anonymous: anon, judge: 403, organiser: ok, admin: ok }, over);
