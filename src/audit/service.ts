import type { Queryable } from '../db';
import { insertAudit, type AuditInsert } from './queries';

/** Who did something: a staff user, an entrant known by an entry code, or the system itself. */
export interface Actor {
  id: number | null;
  label: string;
  requestId?: string;
}

export const SYSTEM_ACTOR: Actor = { id: null, label: 'system' };

export function staffActor(user: { id: number; email: string }, requestId?: string): Actor {
  return { id: user.id, label: user.email, requestId };
}

/** Written inside the caller's transaction, so a decision and its record stand or fall together. */
export async function recordAudit(
  q: Queryable,
  actor: Actor,
  entry: Omit<AuditInsert, 'actorId' | 'actorLabel' | 'requestId'>,
): Promise<void> {
  await insertAudit(q, { ...entry, actorId: actor.id, actorLabel: actor.label, requestId: actor.requestId ?? null });
}
