import type { Db } from '../../../src/db';
import { one } from '../../../src/db';
import type { ContestRow } from '../../../src/contests/queries';
import { findContestById } from '../../../src/contests/queries';

let n = 0;

/** A published contest open right now (the window is ±10 days around the moment of the test). */
export async function createContest(db: Db, o: Partial<Record<string, unknown>> = {}): Promise<ContestRow> {
  n += 1;
  const now = Date.now();
  const row = await one<{ id: number }>(
    db.pool,
    `INSERT INTO contests (slug, title, summary, rules_md, hashtags, time_zone, opens_at, closes_at, grace_minutes, code_prefix,
                           max_entries_per_entrant, early_clip_policy, entrant_fields, min_age, public_fields, upload_mode, state)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id`,
    [
      o.slug ?? `contest-${n}-${now % 100000}`,
      o.title ?? `Cuộc thi ${n}`,
      o.summary ?? 'Tóm tắt cuộc thi',
      o.rules_md ?? '# Thể lệ\n\nGửi clip của bạn.',
      o.hashtags ?? ['ThoiKhacKhoQuen'],
      o.time_zone ?? 'Asia/Ho_Chi_Minh',
      o.opens_at ?? new Date(now - 10 * 86400_000),
      o.closes_at ?? new Date(now + 10 * 86400_000),
      o.grace_minutes ?? 0,
      o.code_prefix ?? 'TKKQ',
      o.max_entries_per_entrant ?? 3,
      o.early_clip_policy ?? 'flag',
      JSON.stringify(o.entrant_fields ?? {}),
      o.min_age ?? null,
      o.public_fields ?? ['displayName'],
      o.upload_mode ?? 'off',
      o.state ?? 'published',
    ],
  );
  return (await findContestById(db.pool, row.id)) as ContestRow;
}

let entrySeq = 0;

/** An entrant and one entry in a contest, inserted directly (not through the submission rules). */
export async function createEntry(
  db: Db,
  contest: { id: number; code_prefix: string },
  o: Partial<Record<string, unknown>> = {},
): Promise<{ id: number; code: string; entrant_id: number; video_id: string | null; status: string; title: string }> {
  entrySeq += 1;
  const entrant = await one<{ id: number }>(
    db.pool,
    `INSERT INTO entrants (contest_id, full_name, display_name, email, phone_e164, organisation, province)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [
      contest.id,
      o.full_name ?? `Nguyễn Văn ${entrySeq}`,
      o.display_name ?? o.full_name ?? `Nguyễn Văn ${entrySeq}`,
      o.email ?? `entrant${entrySeq}@example.test`,
      o.phone_e164 ?? `+8491${String(1000000 + entrySeq).slice(-7)}`,
      o.organisation ?? null,
      o.province ?? 'Hà Nội',
    ],
  );
  const seq = await one<{ entry_seq: number }>(db.pool, 'SELECT next_entry_number($1) AS entry_seq', [contest.id]);
  const videoId = o.video_id === undefined ? String(7003421587766431002n + BigInt(entrySeq)) : o.video_id;
  return one(
    db.pool,
    `INSERT INTO entries (contest_id, entrant_id, seq, code, category_id, title, description, tiktok_url_input, canonical_url, video_id,
                          link_status, status, consent_at, consent_rules_version, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, now(), 1, $13)
     RETURNING id, code, entrant_id, video_id, status, title`,
    [
      contest.id,
      entrant.id,
      seq.entry_seq,
      `${contest.code_prefix}-${String(seq.entry_seq).padStart(5, '0')}`,
      o.category_id ?? null,
      o.title ?? `Khoảnh khắc ${entrySeq}`,
      o.description ?? 'Mô tả',
      o.tiktok_url_input ?? `https://www.tiktok.com/@user/video/${videoId}`,
      videoId ? `https://www.tiktok.com/@user/video/${videoId}` : null,
      videoId,
      o.link_status ?? 'ok',
      o.status ?? 'received',
      o.created_at ?? new Date(),
    ],
  );
}
