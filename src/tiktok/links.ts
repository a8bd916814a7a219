/**
 * TikTok links as entrants paste them: full video URLs with a handle, mobile and embed forms,
 * player links and tracking query strings, and the short links the app's share button copies.
 * Parsing is pure and offline; resolving short links needs the network (see resolve.ts).
 */
export type ParsedLink =
  | { kind: 'video'; videoId: string; handle: string | null; canonicalUrl: string }
  | { kind: 'short'; url: string }
  | { kind: 'invalid'; reason: 'empty' | 'not_a_url' | 'host' | 'not_a_video' | 'bad_id' };

const MAX_INPUT = 2048;
const UINT64_MAX = 18446744073709551615n;

const VIDEO_HOSTS = new Set(['tiktok.com', 'www.tiktok.com', 'm.tiktok.com']);
const SHORT_HOSTS = new Set(['vm.tiktok.com', 'vt.tiktok.com']);

/** The one URL form kept for every entry, whatever was pasted. */
export function canonicalVideoUrl(videoId: string, handle: string | null): string {
  return `https://www.tiktok.com/@${handle ?? ''}/video/${videoId}`;
}

/** A TikTok video id is a 64-bit unsigned integer written in decimal; kept as text. */
export function isVideoId(s: string): boolean {
  if (!/^[0-9]{1,20}$/.test(s) || /^0/.test(s)) return false;
  return BigInt(s) <= UINT64_MAX;
}

export function parseTikTokLink(raw: unknown): ParsedLink {
  if (typeof raw !== 'string') return { kind: 'invalid', reason: 'empty' };
  let input = raw.trim();
  if (!input) return { kind: 'invalid', reason: 'empty' };
  if (input.length > MAX_INPUT) return { kind: 'invalid', reason: 'not_a_url' };
  // People paste "www.tiktok.com/…" without a scheme; anything with another scheme is refused.
  if (!/^[a-z][a-z0-9+.-]*:/i.test(input)) input = `https://${input}`;
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return { kind: 'invalid', reason: 'not_a_url' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { kind: 'invalid', reason: 'not_a_url' };
  if (url.username || url.password || (url.port && url.port !== '80' && url.port !== '443')) return { kind: 'invalid', reason: 'host' };
  const host = url.hostname.toLowerCase();
  const segments = url.pathname.split('/').filter(Boolean);

  if (SHORT_HOSTS.has(host)) {
    if (segments.length === 1 && /^[A-Za-z0-9_-]{4,32}$/.test(segments[0] as string)) {
      return { kind: 'short', url: `https://${host}/${segments[0]}/` };
    }
    return { kind: 'invalid', reason: 'not_a_video' };
  }
  if (!VIDEO_HOSTS.has(host)) return { kind: 'invalid', reason: 'host' };

  const [a, b, c] = segments;
  const video = (id: string | undefined, handle: string | null): ParsedLink => {
    if (!id || !isVideoId(id)) return { kind: 'invalid', reason: 'bad_id' };
    return { kind: 'video', videoId: id, handle, canonicalUrl: canonicalVideoUrl(id, handle) };
  };
  // /@handle/video/<id>
  if (a && a.startsWith('@') && b === 'video' && segments.length === 3) {
    const handle = a.slice(1).toLowerCase();
    if (!/^[a-z0-9._]{1,60}$/.test(handle)) return { kind: 'invalid', reason: 'not_a_video' };
    return video(c, handle);
  }
  // /t/<code> short links on the main host
  if (a === 't' && segments.length === 2 && /^[A-Za-z0-9_-]{4,32}$/.test(b as string)) {
    return { kind: 'short', url: `https://www.tiktok.com/t/${b}/` };
  }
  // m.tiktok.com/v/<id>.html
  if (a === 'v' && segments.length === 2) return video((b as string).replace(/\.html$/, ''), null);
  // /embed/<id>, /embed/v2/<id>
  if (a === 'embed' && segments.length === 2) return video(b, null);
  if (a === 'embed' && b === 'v2' && segments.length === 3) return video(c, null);
  // /player/v1/<id>
  if (a === 'player' && b === 'v1' && segments.length === 3) return video(c, null);
  return { kind: 'invalid', reason: 'not_a_video' };
}

/** The posting time carried by the id: its top 32 bits are Unix seconds. */
export function postedAtFromVideoId(videoId: string): Date {
  return new Date(Number(BigInt(videoId) >> 32n) * 1000);
}

/** A video id whose top 32 bits are the given instant (tests and fixtures). */
export function videoIdAt(at: Date, low = 0n): string {
  return ((BigInt(Math.floor(at.getTime() / 1000)) << 32n) | (low & 0xffffffffn)).toString();
}
