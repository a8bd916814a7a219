import { parseTikTokLink } from './links';

/**
 * The two network calls to TikTok: following a short link's redirect, and oEmbed for the caption.
 * Both are optional (TIKTOK_NETWORK), bounded by a timeout, and never throw: a failure is an
 * answer the caller records ("link to verify", "hashtag unchecked"). `origin` lets a test point
 * them at a local server standing in for TikTok.
 */
export interface TikTokClientOptions {
  enabled: boolean;
  timeoutMs: number;
  /** Replaces scheme+host of every TikTok URL before fetching (tests only). */
  origin?: string;
}

export type ResolveResult = { ok: true; videoId: string; canonicalUrl: string; handle: string | null } | { ok: false; reason: 'disabled' | 'network' | 'not_a_video' };

function rewrite(url: string, origin?: string): string {
  if (!origin) return url;
  const u = new URL(url);
  return `${origin.replace(/\/$/, '')}${u.pathname}${u.search}`;
}

async function fetchWithTimeout(url: string, init: RequestInit, timeoutMs: number): Promise<Response> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeoutMs);
  try {
    return await fetch(url, { ...init, signal: ctl.signal });
  } finally {
    clearTimeout(timer);
  }
}

/** Follows up to five redirects of a short link until a video URL appears. */
export async function resolveShortLink(shortUrl: string, opts: TikTokClientOptions): Promise<ResolveResult> {
  if (!opts.enabled) return { ok: false, reason: 'disabled' };
  const deadline = Date.now() + opts.timeoutMs;
  let current = shortUrl;
  try {
    for (let hop = 0; hop < 5; hop++) {
      const left = deadline - Date.now();
      if (left <= 0) return { ok: false, reason: 'network' };
      const res = await fetchWithTimeout(rewrite(current, opts.origin), { method: 'GET', redirect: 'manual', headers: { 'user-agent': 'Mozilla/5.0 (Clipjury link check)' } }, left);
      await res.body?.cancel().catch(() => undefined);
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !location) return { ok: false, reason: 'not_a_video' };
      const next = new URL(location, current).toString();
      const parsed = parseTikTokLink(next);
      if (parsed.kind === 'video') return { ok: true, videoId: parsed.videoId, canonicalUrl: parsed.canonicalUrl, handle: parsed.handle };
      if (parsed.kind === 'invalid') return { ok: false, reason: 'not_a_video' };
      current = parsed.url;
    }
  } catch {
    return { ok: false, reason: 'network' };
  }
  return { ok: false, reason: 'not_a_video' };
}

export interface OEmbed {
  title: string;
  authorName: string | null;
  thumbnailUrl: string | null;
}

/** oEmbed gives the caption (as `title`), the author and a thumbnail; null when unreachable. */
export async function fetchOEmbed(canonicalUrl: string, opts: TikTokClientOptions): Promise<OEmbed | null> {
  if (!opts.enabled) return null;
  const endpoint = `${opts.origin ? opts.origin.replace(/\/$/, '') : 'https://www.tiktok.com'}/oembed?url=${encodeURIComponent(canonicalUrl)}`;
  try {
    const res = await fetchWithTimeout(endpoint, { headers: { accept: 'application/json' } }, opts.timeoutMs);
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      return null;
    }
    const body = (await res.json()) as { title?: unknown; author_name?: unknown; author_unique_id?: unknown; thumbnail_url?: unknown };
    if (typeof body.title !== 'string') return null;
    return {
      title: body.title.slice(0, 2000),
      authorName: typeof body.author_unique_id === 'string' ? body.author_unique_id.slice(0, 60) : typeof body.author_name === 'string' ? body.author_name.slice(0, 60) : null,
      thumbnailUrl: typeof body.thumbnail_url === 'string' && /^https:\/\//.test(body.thumbnail_url) ? body.thumbnail_url.slice(0, 2048) : null,
    };
  } catch {
    return null;
  }
}

/** True when the caption carries one of the contest's hashtags (case and diacritics ignored). */
export function captionHasHashtag(caption: string, hashtags: readonly string[]): boolean {
  const fold = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();
  const tags = new Set((fold(caption).match(/#[\p{L}\p{N}_]+/gu) ?? []).map((t) => t.slice(1)));
  return hashtags.some((h) => tags.has(fold(h.replace(/^#/, ''))));
}
