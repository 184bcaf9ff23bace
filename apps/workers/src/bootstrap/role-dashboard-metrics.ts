import type { Worker } from 'bullmq';
import { countMessagesInStatus, countOptOutsToday, syncLagByModule, type Database } from '@fieldhand/db';
import type { Logger, Pm2Io } from '@fieldhand/observability';

// PostgreSQL is read for the dashboard this often (the unknown-message count scans `messages`).
const DB_POLL_MS = 30_000;

type RoleMetricsDeps = { workers: readonly Worker[]; db: Database; logger: Logger };
type RoleMetrics = (io: Pm2Io, deps: RoleMetricsDeps) => () => void;

/** Per role, what `pm2 monit` shows beyond jobs and queues. Returns a stop. */
export const ROLE_METRICS: Partial<Record<string, RoleMetrics>> = {
  sms: (io, deps) => {
    const sends = io.meter({ name: 'sends/min', samples: 60, timeframe: 60 } as { name: string });
    sends.mark(0);
    // Only a text Twilio accepted counts; a deferred, throttled or opted-out job sends nothing.
    for (const worker of deps.workers) worker.on('completed', (job, outcome) => job.name === 'sms.send' && outcome === 'accepted' && sends.mark());
    let optOuts = 0;
    let unknown = 0;
    io.metric({ name: 'opt-outs today', value: () => optOuts });
    io.metric({ name: 'messages unknown', value: () => unknown });
    return every(deps, async () => {
      [optOuts, unknown] = await Promise.all([countOptOutsToday(deps.db), countMessagesInStatus(deps.db, 'unknown')]);
    });
  },
  sync: (io, deps) => {
    const oldest = new Map<string, number>();
    return every(deps, async () => {
      const bySource = new Map<string, number>();
      for (const { source, seconds } of await syncLagByModule(deps.db)) bySource.set(source, Math.max(bySource.get(source) ?? 0, seconds));
      for (const [source, seconds] of bySource) {
        if (!oldest.has(source)) io.metric({ name: `${source} oldest module lag`, unit: 's', value: () => oldest.get(source) ?? 0 });
        oldest.set(source, seconds);
      }
    });
  },
};

function every(deps: RoleMetricsDeps, read: () => Promise<void>): () => void {
  const run = () => void read().catch((err: unknown) => deps.logger.debug({ err }, 'could not read dashboard metrics from PostgreSQL'));
  run();
  const timer = setInterval(run, DB_POLL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
