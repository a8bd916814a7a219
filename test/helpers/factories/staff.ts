import type { Db } from '../../../src/db';
import { one } from '../../../src/db';
import { hashPassword } from '../../../src/accounts/password';
import type { Role } from '../../../src/accounts/queries';

export const TEST_PASSWORD = 'correct horse battery';
let seq = 0;
let cachedHash: Promise<string> | undefined;

/** Staff accounts, hashed once per run: argon2 at OWASP cost is deliberately slow. */
export async function createStaff(db: Db, o: { role?: Role; email?: string; name?: string; organisation?: string | null } = {}) {
  cachedHash ??= hashPassword(TEST_PASSWORD);
  seq += 1;
  const role = o.role ?? 'judge';
  return one<{ id: number; email: string; name: string; role: Role }>(
    db.pool,
    `INSERT INTO users (email, name, role, password_hash, organisation) VALUES ($1, $2, $3, $4, $5)
     RETURNING id, email, name, role`,
    [o.email ?? `${role}${seq}-${Date.now()}@example.test`, o.name ?? `${role} ${seq}`, role, await cachedHash, o.organisation ?? null],
  );
}
