import { z } from 'zod';
import type { Queryable } from '../db';
import { execute, rows } from '../db';
import type { Actor } from '../audit/service';
import { recordAudit } from '../audit/service';
import { canTransition, changeEntryStatus, ENTRY_STATUSES, type EntryStatus } from '../entries/states';
import { ValidationError } from '../http/errors';

/**
 * Screening: organisers mark received entries eligible or not, with a reason from the contest's
 * list and a note, one by one or in bulk on a filtered list; eligible entries can be shortlisted
 * (promoted) for a later round the same way. Every change goes through
 * changeEntryStatus (checked, written and audited in the caller's transaction).
 */

export const screeningFilterSchema = z.object({
  status: z.enum(['any', ...ENTRY_STATUSES]).catch('received'),
  link: z.enum(['any', 'ok', 'to_verify', 'failed']).catch('any'),
  hashtag: z.enum(['any', 'unchecked', 'verified', 'missing']).catch('any'),
  early: z.enum(['any', 'yes', 'no']).catch('any'),
  category: z.coerce.number().int().positive().optional().catch(undefined),
  q: z.string().trim().max(100).catch(''),
  page: z.coerce.number().int().min(1).max(100000).catch(1),
});
export type ScreeningFilter = z.infer<typeof screeningFilterSchema>;

/**
 * The same filter for a decision on "all filtered entries": a wrong value is refused instead of
 * falling back to a default, which would widen the decision beyond the list the organiser saw.
 */
export const screeningFilterStrictSchema = z.object({
  status: z.enum(['any', ...ENTRY_STATUSES]).default('received'),
  link: z.enum(['any', 'ok', 'to_verify', 'failed']).default('any'),
  hashtag: z.enum(['any', 'unchecked', 'verified', 'missing']).default('any'),
  early: z.enum(['any', 'yes', 'no']).default('any'),
  category: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().positive().optional()),
  q: z.string().trim().max(100).default(''),
  page: z.coerce.number().int().min(1).max(100000).catch(1),
});

export const decisionSchema = z
  .object({
    decision: z.enum(['eligible', 'not_eligible', 'shortlisted'], 'form.invalid'),
    reasonId: z.preprocess((v) => (v === '' || v === undefined ? null : v), z.coerce.number().int().positive().nullable()),
    note: z.string().trim().normalize('NFC').max(2000, 'form.invalid').default(''),
    scope: z.enum(['selected', 'filtered']).default('selected'),
    ids: z.preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(z.coerce.number().int().positive()).max(1000)),
  })
  .refine((d) => d.decision !== 'not_eligible' || d.reasonId !== null, { path: ['reasonId'], message: 'screening.error.reasonRequired' });
export type Decision = z.infer<typeof decisionSchema>;

export const PAGE_SIZE = 50;

function whereOf(contestId: number, f: ScreeningFilter): { sql: string; params: unknown[] } {
  const params: unknown[] = [contestId];
  const parts = ['e.contest_id = $1'];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    parts.push(sql.replace('?', `$${params.length}`));
  };
  if (f.status !== 'any') add('e.status = ?', f.status);
  if (f.link !== 'any') add('e.link_status = ?', f.link);
  if (f.hashtag !== 'any') add('e.hashtag_status = ?', f.hashtag);
  if (f.early !== 'any') add('e.posted_early = ?', f.early === 'yes');
  if (f.category) add('e.category_id = ?', f.category);
  if (f.q) add(`e.search_text LIKE '%' || lower(f_unaccent(?)) || '%'`, f.q);
  return { sql: parts.join(' AND '), params };
}

export interface ScreeningRow {
  id: number;
  code: string;
  title: string;
  status: EntryStatus;
  link_status: string;
  hashtag_status: string;
  posted_early: boolean;
  category: string | null;
  entrant_name: string;
  canonical_url: string | null;
  reason: string | null;
  screening_note: string | null;
  created_at: Date;
}

export async function listForScreening(q: Queryable, contestId: number, f: ScreeningFilter): Promise<{ items: ScreeningRow[]; total: number }> {
  const w = whereOf(contestId, f);
  const items = await rows<ScreeningRow & { total_rows: number }>(
    q,
    `SELECT e.id, e.code, e.title, e.status, e.link_status, e.hashtag_status, e.posted_early, cat.name AS category,
            en.full_name AS entrant_name, e.canonical_url, r.label AS reason, e.screening_note, e.created_at,
            count(*) OVER ()::int AS total_rows
       FROM entries e
       JOIN entrants en ON en.id = e.entrant_id
       LEFT JOIN categories cat ON cat.id = e.category_id
       LEFT JOIN screening_reasons r ON r.id = e.screening_reason_id
      WHERE ${w.sql}
      ORDER BY e.seq
      LIMIT ${PAGE_SIZE} OFFSET ${(f.page - 1) * PAGE_SIZE}`,
    w.params,
  );
  return { items, total: items[0]?.total_rows ?? 0 };
}

export function listReasons(q: Queryable, contestId: number) {
  return rows<{ id: number; label: string }>(q, 'SELECT id, label FROM screening_reasons WHERE contest_id = $1 ORDER BY position, id', [contestId]);
}

export const DEFAULT_REASONS = [
  'Thiếu hashtag / Hashtag missing',
  'Đăng ngoài thời gian cuộc thi / Posted outside the window',
  'Không phải tác phẩm gốc / Not an original work',
  'Nội dung không phù hợp / Content not allowed',
  'Bài trùng lặp / Duplicate',
  'Liên kết không hoạt động / Link does not work',
];

export async function addReasons(tx: Queryable, contestId: number, labels: string[], actor: Actor): Promise<number> {
  const n = await execute(
    tx,
    `INSERT INTO screening_reasons (contest_id, label, position)
     SELECT $1, l, (SELECT coalesce(max(position), 0) FROM screening_reasons WHERE contest_id = $1) + o
       FROM unnest($2::text[]) WITH ORDINALITY AS u(l, o)
     ON CONFLICT (contest_id, label) DO NOTHING`,
    [contestId, labels],
  );
  await recordAudit(tx, actor, { action: 'screening.reasons_added', subjectType: 'contest', subjectId: contestId, contestId, after: { labels } });
  return n;
}

/**
 * Applies one decision to the selected entries or to every entry matching the filter. Entries
 * whose status cannot take the decision (withdrawn, already awarded…) are skipped and counted.
 */
export async function decide(tx: Queryable, contestId: number, d: Decision, filter: ScreeningFilter, actor: Actor): Promise<{ changed: number; skipped: number }> {
  if (d.reasonId !== null) {
    const ok = await rows(tx, 'SELECT 1 FROM screening_reasons WHERE id = $1 AND contest_id = $2', [d.reasonId, contestId]);
    if (!ok.length) throw new ValidationError({ reasonId: 'form.invalid' });
  }
  let targets: { id: number; status: EntryStatus }[];
  if (d.scope === 'filtered') {
    const w = whereOf(contestId, filter);
    targets = await rows(tx, `SELECT e.id, e.status FROM entries e JOIN entrants en ON en.id = e.entrant_id WHERE ${w.sql} ORDER BY e.seq LIMIT 10000`, w.params);
  } else {
    if (!d.ids.length) throw new ValidationError({ ids: 'screening.error.nothingSelected' });
    targets = await rows(tx, 'SELECT id, status FROM entries WHERE contest_id = $1 AND id = ANY ($2::bigint[]) ORDER BY seq', [contestId, d.ids]);
  }
  let changed = 0;
  let skipped = 0;
  for (const t of targets) {
    // Entries the decision cannot apply to (withdrawn, awarded, a received entry to shortlist…) are skipped.
    if (t.status === 'awarded' || t.status === d.decision || !canTransition(t.status, d.decision)) {
      skipped += 1;
      continue;
    }
    await changeEntryStatus(tx, { entryId: t.id, to: d.decision, actor, reasonId: d.decision === 'shortlisted' ? null : d.reasonId, note: d.note || null, expectFrom: t.status });
    changed += 1;
  }
  return { changed, skipped };
}
