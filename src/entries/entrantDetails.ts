import type { Pool } from 'pg';
import { recordAudit } from '../audit/service';
import { acceptsCorrections } from '../contests/phase';
import type { ContestRow, EntrantOptionalField } from '../contests/queries';
import { withTransaction } from '../db';
import { ConflictError, ValidationError } from '../http/errors';
import { translate, type Lang } from '../i18n';
import { enqueueMail } from '../mail/outbox';
import { maskNationalId } from './normalise';
import * as q from './queries';
import type { EntrantDetailsInput } from './schemas';
import { entrantActor, SubmissionsClosedError } from './service';

/** The details an entrant corrects on their page, as stored (camelCase, one per column). */
type Details = q.EntrantDetailsChange;

const EXTRA_COLUMNS: Record<EntrantOptionalField, keyof q.EntrantRow> = {
  dateOfBirth: 'date_of_birth',
  organisation: 'organisation',
  occupation: 'occupation',
  province: 'province',
  address: 'address',
  nationalId: 'national_id',
  tiktokHandle: 'tiktok_handle',
};

function storedDetails(p: q.EntrantRow): Details {
  return {
    displayName: p.display_name ?? p.full_name,
    email: p.email,
    phone: p.phone_e164,
    dateOfBirth: p.date_of_birth,
    organisation: p.organisation,
    occupation: p.occupation,
    province: p.province,
    address: p.address,
    nationalId: p.national_id,
    tiktokHandle: p.tiktok_handle,
  };
}

/** What the audit keeps of a detail: the national ID masked like everywhere outside the organiser pages. */
const forAudit = (k: keyof Details, v: string | null) => (k === 'nationalId' ? maskNationalId(v) : v);

/**
 * The entrant corrects their own details (display name, email, phone, the contest's extra
 * fields) until the deadline; read-only after. A new email or phone must leave that contact
 * within the contest's per-entrant limit, checked under the same advisory locks as a submission
 * so the two cannot race. The private link keeps working: it is derived from the entry's salt,
 * not from the contact. The change is audited, and the old address is told when the email changes.
 * Answers the names of the details that changed.
 */
export async function correctEntrantDetails(
  pool: Pool,
  contest: ContestRow,
  entry: q.EntryRow,
  input: EntrantDetailsInput,
  ctx: { now: Date; lang: Lang },
): Promise<(keyof Details)[]> {
  if (!acceptsCorrections(contest, ctx.now)) throw new SubmissionsClosedError();
  if (entry.status === 'withdrawn') throw new ConflictError('withdrawn', 'entries.alreadyWithdrawn');
  const lockKeys = [input.email ? `entrant:${contest.id}:${input.email}` : null, input.phone ? `entrant:${contest.id}:${input.phone}` : null]
    .filter((k): k is string => k !== null)
    .sort();

  return withTransaction(pool, async (tx) => {
    await q.advisoryLocks(tx, lockKeys);
    const entrant = await q.lockEntrantOfEntry(tx, entry.id);
    if (!entrant) throw new Error(`entry ${entry.id} has no entrant`);
    const before = storedDetails(entrant);
    const after: Details = { ...before, displayName: input.displayName || entrant.full_name, email: input.email, phone: input.phone };
    for (const [field, value] of Object.entries(input.extra) as [EntrantOptionalField, string | null][]) {
      // The national ID is never shown back, so an empty field keeps the stored one.
      if (field === 'nationalId' && value === null) {
        if (contest.entrant_fields.nationalId === 'required' && !entrant.national_id) throw new ValidationError({ nationalId: 'form.required' });
        continue;
      }
      after[field] = value;
    }
    const changed = (Object.keys(after) as (keyof Details)[]).filter((k) => (k === 'email' ? (before.email ?? '').toLowerCase() !== (after.email ?? '') : before[k] !== after[k]));
    if (!changed.length) return changed;

    const newEmail = changed.includes('email') && after.email !== null;
    const newPhone = changed.includes('phone') && after.phone !== null;
    if (newEmail || newPhone) {
      const others = await q.liveEntriesOfContactExcept(tx, contest.id, entry.id, after.email, after.phone);
      if (others >= contest.max_entries_per_entrant) {
        throw new ConflictError('entrant_limit', 'entries.limitReached', { max: contest.max_entries_per_entrant });
      }
    }
    await q.updateEntrantDetails(tx, entrant.id, after);
    await recordAudit(tx, entrantActor(entry.code), {
      action: 'entrant.details_corrected',
      subjectType: 'entry',
      subjectId: entry.id,
      contestId: contest.id,
      before: Object.fromEntries(changed.map((k) => [k, forAudit(k, before[k])])),
      after: Object.fromEntries(changed.map((k) => [k, forAudit(k, after[k])])),
    });
    if (changed.includes('email') && before.email) {
      const t = (k: string, p?: Record<string, string | number>) => translate(ctx.lang, k, p);
      await enqueueMail(tx, {
        kind: 'entrant_email_changed',
        to: before.email,
        subject: t('entries.details.mail.subject', { contest: contest.title, code: entry.code }),
        text: t('entries.details.mail.body', { name: entrant.full_name, contest: contest.title, code: entry.code }),
        contestId: contest.id,
      });
    }
    return changed;
  });
}

/** The stored value of an extra field, for the form (the national ID is never sent back). */
export function extraFieldValue(entrant: q.EntrantRow, field: EntrantOptionalField): string {
  if (field === 'nationalId') return '';
  return (entrant[EXTRA_COLUMNS[field]] as string | null) ?? '';
}
