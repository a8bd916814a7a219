import type { Queryable } from '../db';
import { execute, maybeOne, one, rows, statement } from '../db';

export type Role = 'admin' | 'organiser' | 'judge';
export const ROLES: readonly Role[] = ['admin', 'organiser', 'judge'];

export interface UserRow {
  id: number;
  email: string;
  name: string;
  role: Role;
  organisation: string | null;
  disabled_at: Date | null;
  last_login_at: Date | null;
  created_at: Date;
}

const USER_COLUMNS = 'id, email, name, role, organisation, disabled_at, last_login_at, created_at';

// Prepared: every signed-in request reads its user (Passport's deserializeUser).
const FIND_USER_BY_ID = statement('accounts.findUserById', `SELECT ${USER_COLUMNS} FROM users WHERE id = $1`);

export function findUserById(q: Queryable, id: number): Promise<UserRow | undefined> {
  return maybeOne<UserRow>(q, FIND_USER_BY_ID, [id]);
}

export function findUserForLogin(q: Queryable, email: string): Promise<(UserRow & { password_hash: string }) | undefined> {
  return maybeOne(q, `SELECT ${USER_COLUMNS}, password_hash FROM users WHERE email = $1`, [email]);
}

export function listUsers(q: Queryable): Promise<UserRow[]> {
  return rows<UserRow>(q, `SELECT ${USER_COLUMNS} FROM users ORDER BY role, lower(name), id`);
}

export function listActiveJudges(q: Queryable): Promise<UserRow[]> {
  return rows<UserRow>(q, `SELECT ${USER_COLUMNS} FROM users WHERE role = 'judge' AND disabled_at IS NULL ORDER BY lower(name), id`);
}

export function insertUser(
  q: Queryable,
  u: { email: string; name: string; role: Role; passwordHash: string; organisation?: string | null },
): Promise<UserRow> {
  return one<UserRow>(
    q,
    `INSERT INTO users (email, name, role, password_hash, organisation) VALUES ($1, $2, $3, $4, $5) RETURNING ${USER_COLUMNS}`,
    [u.email, u.name, u.role, u.passwordHash, u.organisation ?? null],
  );
}

export function updatePasswordHash(q: Queryable, id: number, passwordHash: string): Promise<number> {
  return execute(q, 'UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1', [id, passwordHash]);
}

export function setDisabled(q: Queryable, id: number, disabled: boolean): Promise<number> {
  return execute(q, `UPDATE users SET disabled_at = CASE WHEN $2 THEN now() ELSE NULL END, updated_at = now() WHERE id = $1`, [id, disabled]);
}

export function setRole(q: Queryable, id: number, role: Role): Promise<number> {
  return execute(q, 'UPDATE users SET role = $2, updated_at = now() WHERE id = $1', [id, role]);
}

export function touchLastLogin(q: Queryable, id: number): Promise<number> {
  return execute(q, 'UPDATE users SET last_login_at = now() WHERE id = $1', [id]);
}

/** Ends every session of a user, whichever instance created it. */
export function deleteSessionsOfUser(q: Queryable, id: number): Promise<number> {
  return execute(q, `DELETE FROM session WHERE (sess -> 'passport' ->> 'user') = $1`, [String(id)]);
}
