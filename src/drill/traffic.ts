/**
 * Steady traffic for a drill: `workers` loops each sending the next request as soon as the last
 * one answered, until stop() is called. Every answer is counted by status (0 = no answer:
 * connection refused or reset, or no answer within the timeout).
 */
export interface Traffic {
  stop(): Promise<TrafficTally>;
}
export interface TrafficTally {
  sent: number;
  statuses: Record<number, number>;
  /** The slowest answer, in ms: a request must never hang. */
  slowest: number;
  /** Whatever each request returned, for the drill's own checks. */
  results: { status: number; body: string; at: number }[];
}

export function startTraffic(
  workers: number,
  next: (i: number) => { url: string; init?: RequestInit },
  timeoutMs = 15_000,
): Traffic {
  let stopped = false;
  let i = 0;
  const tally: TrafficTally = { sent: 0, statuses: {}, slowest: 0, results: [] };
  const loop = async () => {
    while (!stopped) {
      const { url, init } = next(i++);
      const t0 = Date.now();
      let status: number;
      let body = '';
      try {
        const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
        status = res.status;
        body = await res.text();
      } catch {
        status = 0;
        // A refused connection answers at once; don't spin while the portal is down.
        await new Promise((r) => setTimeout(r, 50));
      }
      tally.sent += 1;
      tally.statuses[status] = (tally.statuses[status] ?? 0) + 1;
      tally.slowest = Math.max(tally.slowest, Date.now() - t0);
      tally.results.push({ status, body, at: Date.now() });
    }
  };
  const running = Array.from({ length: workers }, loop);
  return {
    async stop() {
      stopped = true;
      await Promise.all(running);
      return tally;
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
