import type { Queryable } from '../db';
import { execute, rows } from '../db';

export interface AuditInsert {
  actorId: number | string | null;
  actorLabel: string;
  action: string;
  subjectType: string;
  subjectId: string | number;
  contestId?: number | string | null;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
  requestId?: string | null;
}

export async function insertAudit(q: Queryable, a: AuditInsert): Promise<void> {
  await execute(
    q,
    `INSERT INTO audit_log (actor_id, actor_label, action, subject_type, subject_id, contest_id, before, after, reason, request_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      a.actorId,
      a.actorLabel,
      a.action,
      a.subjectType,
      String(a.subjectId),
      a.contestId ?? null,
      a.before === undefined ? null : JSON.stringify(a.before),
      a.after === undefined ? null : JSON.stringify(a.after),
      a.reason ?? null,
      a.requestId ?? null,
    ],
  );
}

export interface AuditRow {
  id: number;
  at: Date;
  actor_id: number | null;
  actor_label: string;
  action: string;
  subject_type: string;
  subject_id: string;
  contest_id: number | null;
  before: unknown;
  after: unknown;
  reason: string | null;
}

export async function listAuditForSubject(q: Queryable, subjectType: string, subjectId: string | number): Promise<AuditRow[]> {
  return rows<AuditRow>(
    q,
    `SELECT id, at, actor_id, actor_label, action, subject_type, subject_id, contest_id, before, after, reason
       FROM audit_log WHERE subject_type = $1 AND subject_id = $2 ORDER BY id`,
    [subjectType, String(subjectId)],
  );
}
