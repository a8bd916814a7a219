import type { Pool } from 'pg';
import { execute } from '../db';
import { UniqueViolation } from '../db';
import { postedAtFromVideoId } from '../tiktok/links';
import { resolveShortLink, type TikTokClientOptions } from '../tiktok/resolve';
import { entriesToVerify } from './queries';

const MAX_ATTEMPTS = 48;

/**
 * The background retry for short links that could not be resolved at submit time. A link that
 * resolves becomes "ok" with its video id; one that points at another live entry's clip, or keeps
 * failing, becomes "failed" for the organisers to look at.
 */
export async function verifyPendingLinks(pool: Pool, tiktok: TikTokClientOptions, batch = 20): Promise<{ resolved: number; failed: number; pending: number }> {
  const out = { resolved: 0, failed: 0, pending: 0 };
  if (!tiktok.enabled) return out;
  for (const e of await entriesToVerify(pool, batch)) {
    const r = await resolveShortLink(e.tiktok_url_input.startsWith('http') ? e.tiktok_url_input : `https://${e.tiktok_url_input}`, tiktok);
    if (r.ok) {
      try {
        await execute(
          pool,
          `UPDATE entries SET video_id = $2, canonical_url = $3, link_status = 'ok', link_checked_at = now(), link_attempts = link_attempts + 1,
                  posted_at = $4, posted_early = (SELECT $4 < c.opens_at FROM contests c WHERE c.id = entries.contest_id), updated_at = now()
            WHERE id = $1 AND link_status = 'to_verify'`,
          [e.id, r.videoId, r.canonicalUrl, postedAtFromVideoId(r.videoId)],
        );
        out.resolved += 1;
        continue;
      } catch (err) {
        if (!(err instanceof UniqueViolation)) throw err;
        await execute(pool, `UPDATE entries SET link_status = 'failed', link_checked_at = now(), link_attempts = link_attempts + 1, screening_note = coalesce(screening_note, $2) WHERE id = $1`, [e.id, `duplicate clip ${r.videoId}`]);
        out.failed += 1;
        continue;
      }
    }
    const giveUp = r.reason === 'not_a_video' || e.link_attempts + 1 >= MAX_ATTEMPTS;
    await execute(pool, `UPDATE entries SET link_attempts = link_attempts + 1, link_checked_at = now(), link_status = CASE WHEN $2 THEN 'failed' ELSE link_status END WHERE id = $1`, [e.id, giveUp]);
    if (giveUp) out.failed += 1;
    else out.pending += 1;
  }
  return out;
}
