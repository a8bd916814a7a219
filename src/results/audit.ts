import type { Queryable } from '../db';
import { rows } from '../db';
import { toCsv } from './exports';

/** The contest's decision log: every audited change (state, screening, scores, prizes, publication). */
export interface ContestAuditRow {
  id: number;
  at: Date;
  actor_label: string;
  action: string;
  subject_type: string;
  subject_id: string;
  before: unknown;
  after: unknown;
  reason: string | null;
  total_count: number;
}

export const AUDIT_PAGE_SIZE = 50;

function auditRows(q: Queryable, contestId: number, action: string, limit: number | null, offset: number): Promise<ContestAuditRow[]> {
  return rows<ContestAuditRow>(
    q,
    `SELECT id, at, actor_label, action, subject_type, subject_id, before, after, reason, count(*) OVER ()::int AS total_count
       FROM audit_log WHERE contest_id = $1 AND ($2 = '' OR action = $2)
      ORDER BY at DESC, id DESC LIMIT $3 OFFSET $4`,
    [contestId, action, limit, offset],
  );
}

export async function listAuditPage(q: Queryable, contestId: number, action: string, page: number) {
  const [items, actions] = await Promise.all([
    auditRows(q, contestId, action, AUDIT_PAGE_SIZE, (page - 1) * AUDIT_PAGE_SIZE),
    rows<{ action: string }>(q, 'SELECT DISTINCT action FROM audit_log WHERE contest_id = $1 ORDER BY action', [contestId]),
  ]);
  const total = items[0]?.total_count ?? 0;
  return { items, actions: actions.map((a) => a.action), total, page, pages: Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE)) };
}

export async function auditCsv(q: Queryable, contestId: number, action: string): Promise<string> {
  const items = await auditRows(q, contestId, action, null, 0);
  return toCsv(
    ['at', 'actor', 'action', 'subject_type', 'subject_id', 'before', 'after', 'reason'],
    items.map((i) => [i.at, i.actor_label, i.action, i.subject_type, i.subject_id, i.before === null ? '' : JSON.stringify(i.before), i.after === null ? '' : JSON.stringify(i.after), i.reason]),
  );
}
