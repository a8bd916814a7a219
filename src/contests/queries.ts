import type { Queryable } from '../db';
import { maybeOne } from '../db';
import type { StoredContestState } from './phase';

export type FieldMode = 'off' | 'optional' | 'required';
export const ENTRANT_OPTIONAL_FIELDS = ['dateOfBirth', 'organisation', 'occupation', 'province', 'address', 'nationalId', 'tiktokHandle'] as const;
export type EntrantOptionalField = (typeof ENTRANT_OPTIONAL_FIELDS)[number];

export interface ContestRow {
  id: number;
  slug: string;
  title: string;
  summary: string;
  rules_md: string;
  rules_version: number;
  banner_file_id: number | null;
  hashtags: string[];
  time_zone: string;
  opens_at: Date | null;
  closes_at: Date | null;
  grace_minutes: number;
  ceremony_at: Date | null;
  ceremony_place: string | null;
  organiser_name: string | null;
  code_prefix: string;
  max_entries_per_entrant: number;
  early_clip_policy: 'reject' | 'flag';
  entrant_fields: Partial<Record<EntrantOptionalField, FieldMode>>;
  min_age: number | null;
  public_fields: string[];
  upload_mode: FieldMode;
  max_upload_mb: number;
  allow_multiple_prizes: boolean;
  tie_break: { kind: 'criterion' | 'scoresheets'; criterionName?: string }[];
  state: StoredContestState;
  created_at: Date;
  updated_at: Date;
}

export const CONTEST_COLUMNS = `id, slug::text AS slug, title, summary, rules_md, rules_version, banner_file_id, hashtags, time_zone,
  opens_at, closes_at, grace_minutes, ceremony_at, ceremony_place, organiser_name, code_prefix, max_entries_per_entrant,
  early_clip_policy, entrant_fields, min_age, public_fields, upload_mode, max_upload_mb, allow_multiple_prizes, tie_break,
  state, created_at, updated_at`;

export function findContestBySlug(q: Queryable, slug: string): Promise<ContestRow | undefined> {
  return maybeOne<ContestRow>(q, `SELECT ${CONTEST_COLUMNS} FROM contests WHERE slug = $1`, [slug]);
}

export function findContestById(q: Queryable, id: number): Promise<ContestRow | undefined> {
  return maybeOne<ContestRow>(q, `SELECT ${CONTEST_COLUMNS} FROM contests WHERE id = $1`, [id]);
}
