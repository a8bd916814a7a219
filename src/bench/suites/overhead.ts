import { createApp } from '../../app';
import { createLogger } from '../../shared/logger';
import { startBaseline, startPortal } from '../baseline';
import { runLoad } from '../load';
import type { BenchSuite } from '../types';

/** The cost of the portal's middleware chain: /healthz (one SELECT 1) against a bare Express SELECT 1. */
export const overheadSuite: BenchSuite = {
  name: 'overhead',
  describe: 'GET /healthz through the full middleware chain vs a bare Express handler, both one SELECT 1, 20 connections',
  async run(env, log) {
    const app = createApp({ config: env.config, db: env.db, logger: createLogger('silent'), sessionSecret: 'x'.repeat(40), pruneSessions: false });
    const portal = await startPortal(app);
    const bare = await startBaseline(env.db.pool);
    try {
      const total = 4000;
      // Warm both sides the same way, so neither pays for JIT and connection set-up in the figures.
      await runLoad(portal.url, 10, 300, () => ({ method: 'GET', path: '/healthz' }));
      await runLoad(bare.url, 10, 300, () => ({ method: 'GET', path: '/bare/select1' }));
      const base = await runLoad(bare.url, 20, total, () => ({ method: 'GET', path: '/bare/select1' }));
      const ours = await runLoad(portal.url, 20, total, () => ({ method: 'GET', path: '/healthz' }));
      log(`overhead: portal ${ours.throughput.toFixed(0)} req/s, bare ${base.throughput.toFixed(0)} req/s`);
      return [
        { benchmark: 'GET /healthz, 20 connections', measure: 'throughput', value: `${ours.throughput.toFixed(0)} req/s`, baseline: `${base.throughput.toFixed(0)} req/s (bare Express + pg)` },
        { benchmark: 'GET /healthz, 20 connections', measure: 'p50 / p99', value: `${ours.p50.toFixed(1)} / ${ours.p99.toFixed(1)} ms`, baseline: `${base.p50.toFixed(1)} / ${base.p99.toFixed(1)} ms` },
      ];
    } finally {
      await portal.close();
      await bare.close();
    }
  },
};
