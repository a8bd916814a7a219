import type { Pool } from 'pg';
import { withTransaction, UniqueViolation, type Queryable } from '../db';
import { recordAudit, type Actor } from '../audit/service';
import { ConflictError, ForbiddenError, NotFoundError, TooManyRequestsError } from '../http/errors';
import { clear, hit, peek } from '../http/rateLimit';
import { dummyPasswordHash, hashPassword, verifyPassword } from './password';
import * as q from './queries';
import type { CreateUserInput } from './schemas';
import type { SessionUser } from './policy';

export interface LoginLimits {
  maxFailures: number;
  windowMinutes: number;
}

const emailKey = (email: string) => `login:email:${email.toLowerCase()}`;
const ipKey = (ip: string) => `login:ip:${ip}`;
/** One IP may sit in front of many staff (an office), so it gets more room than one account. */
const IP_FACTOR = 4;

export function toSessionUser(u: q.UserRow): SessionUser {
  return { id: u.id, email: u.email, name: u.name, role: u.role, organisation: u.organisation };
}

/**
 * Checks a sign-in. Throttled per account and per IP with counters in PostgreSQL; the answer
 * for an unknown email and for a wrong password is the same, and takes as long.
 */
export async function authenticate(db: Queryable, email: string, password: string, ip: string, limits: LoginLimits): Promise<SessionUser | null> {
  const windowSeconds = limits.windowMinutes * 60;
  const [byEmail, byIp] = await Promise.all([peek(db, emailKey(email), windowSeconds), peek(db, ipKey(ip), windowSeconds)]);
  if (byEmail.count >= limits.maxFailures) throw new TooManyRequestsError(byEmail.retryAfterSeconds, 'login.throttled');
  if (byIp.count >= limits.maxFailures * IP_FACTOR) throw new TooManyRequestsError(byIp.retryAfterSeconds, 'login.throttled');

  const user = await q.findUserForLogin(db, email);
  const ok = user ? await verifyPassword(user.password_hash, password) : await verifyPassword(await dummyPasswordHash(), password).then(() => false);
  if (!user || !ok || user.disabled_at) {
    await hit(db, emailKey(email), windowSeconds);
    await hit(db, ipKey(ip), windowSeconds);
    return null;
  }
  await clear(db, emailKey(email));
  await q.touchLastLogin(db, user.id);
  return toSessionUser(user);
}

export async function createUser(pool: Pool, input: CreateUserInput, actor: Actor): Promise<q.UserRow> {
  const passwordHash = await hashPassword(input.password);
  try {
    return await withTransaction(pool, async (tx) => {
      const user = await q.insertUser(tx, { ...input, passwordHash });
      await recordAudit(tx, actor, {
        action: 'user.created',
        subjectType: 'user',
        subjectId: user.id,
        after: { email: user.email, role: user.role, name: user.name },
      });
      return user;
    });
  } catch (err) {
    if (err instanceof UniqueViolation) throw new ConflictError('email_taken', 'accounts.emailTaken');
    throw err;
  }
}

export async function setPassword(pool: Pool, email: string, password: string, actor: Actor): Promise<void> {
  const passwordHash = await hashPassword(password);
  await withTransaction(pool, async (tx) => {
    const user = await q.findUserForLogin(tx, email);
    if (!user) throw new NotFoundError('user_not_found');
    await q.updatePasswordHash(tx, user.id, passwordHash);
    // A new password ends the old sessions: whoever knew the old one is out.
    await q.deleteSessionsOfUser(tx, user.id);
    await recordAudit(tx, actor, { action: 'user.password_reset', subjectType: 'user', subjectId: user.id });
  });
}

export async function setUserDisabled(pool: Pool, userId: number, disabled: boolean, actor: Actor): Promise<void> {
  if (actor.id === userId) throw new ForbiddenError('cannot_change_self', 'accounts.cannotDisableSelf');
  await withTransaction(pool, async (tx) => {
    const user = await q.findUserById(tx, userId);
    if (!user) throw new NotFoundError('user_not_found');
    await q.setDisabled(tx, userId, disabled);
    if (disabled) await q.deleteSessionsOfUser(tx, userId);
    await recordAudit(tx, actor, {
      action: disabled ? 'user.disabled' : 'user.enabled',
      subjectType: 'user',
      subjectId: userId,
      before: { disabled: user.disabled_at !== null },
      after: { disabled },
    });
  });
}

export async function changeUserRole(pool: Pool, userId: number, role: q.Role, actor: Actor): Promise<void> {
  if (actor.id === userId) throw new ForbiddenError('cannot_change_self', 'accounts.cannotDisableSelf');
  await withTransaction(pool, async (tx) => {
    const user = await q.findUserById(tx, userId);
    if (!user) throw new NotFoundError('user_not_found');
    if (user.role === role) return;
    await q.setRole(tx, userId, role);
    // Sessions carry the role; the next request must see the new one.
    await q.deleteSessionsOfUser(tx, userId);
    await recordAudit(tx, actor, { action: 'user.role_changed', subjectType: 'user', subjectId: userId, before: { role: user.role }, after: { role } });
  });
}
