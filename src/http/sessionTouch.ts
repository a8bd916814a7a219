import type { Store } from 'express-session';

/**
 * A rolling session is "touched" on every request: connect-pg-simple then runs an UPDATE for
 * each page a judge opens, on the hot path of scoring. Touching a session at most once a minute
 * per instance moves its server-side expiry as well, a minute late at worst, against an idle
 * limit of hours. The cookie's own expiry is still renewed on every response.
 */
export function throttleTouches(store: Store, everyMs = 60_000, maxTracked = 100_000): void {
  const touch = store.touch?.bind(store);
  if (!touch) return;
  const last = new Map<string, number>();
  store.touch = (sid, session, callback) => {
    const now = Date.now();
    const previous = last.get(sid);
    if (previous !== undefined && now - previous < everyMs) return callback?.();
    if (last.size >= maxTracked) last.clear();
    last.set(sid, now);
    touch(sid, session, callback);
  };
}
