import type { Db } from '../../src/db';

/**
 * One feature's part of the permission matrix (test/integration/permissions/parts/<feature>.ts).
 * Each part lists the answers its routes give to each kind of user and builds the fixtures its
 * `:params` need, so features add their rows without touching each other's files.
 */
export type Who = 'anonymous' | 'judge' | 'organiser' | 'admin';
export const WHO: Who[] = ['anonymous', 'judge', 'organiser', 'admin'];
export type Row = Record<Who, number>;

export interface MatrixPart {
  /** `METHOD /path/:param` → expected status per kind of user. */
  rows: Record<string, Row>;
  /** Values for the part's `:params`, built once before the matrix runs. */
  fixtures?(db: Db): Promise<Record<string, string | number>>;
  /** Extra form fields sent with every POST of this part (besides `_csrf`). */
  body?: Record<string, string>;
}

export const all = (n: number): Row => ({ anonymous: n, judge: n, organiser: n, admin: n });
export const staffOnly = (ok: number): Row => ({ anonymous: 303, judge: ok, organiser: ok, admin: ok });
export const adminOnly = (ok: number, anon = 303): Row => ({ anonymous: anon, judge: 403, organiser: 403, admin: ok });
/** Organiser pages: admins are organisers too; a judge gets 403; anonymous GETs go to login. */
export const organiserOnly = (ok: number, anon = 303): Row => ({ anonymous: anon, judge: 403, organiser: ok, admin: ok });
