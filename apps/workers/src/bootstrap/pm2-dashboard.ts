import type { Worker } from 'bullmq';
import { listDeadLetters, type Database } from '@fieldhand/db';
import { pm2Io, type Logger } from '@fieldhand/observability';
import { isQueueName, replayDeadLetter, type FieldhandCatalog, type JobBus, type QueueName } from '@fieldhand/queues';
import { ROLE_METRICS } from './role-dashboard-metrics.js';

// How often queue depths are read from Redis for the dashboard.
const QUEUE_POLL_MS = 5_000;
// The reconcilers `pm2 trigger <app> reconcile` runs at once (the maintenance role consumes them).
const RECONCILERS = ['maintenance.reconcile-inbox', 'maintenance.reconcile-outbox', 'maintenance.reconcile-workflows', 'maintenance.reconcile-sends', 'maintenance.reconcile-reminders'] as const;
const REPLAY_PAGE = 200;

type Reply = (answer: Record<string, unknown>) => void;
export type DashboardDeps = { role: string; queues: readonly QueueName[]; workers: readonly Worker[]; bus: JobBus<FieldhandCatalog>; db: Database; logger: Logger };

/**
 * What `pm2 monit` and `pm2 describe` show for a worker process (@pm2/io): jobs
 * completed and failed per minute, jobs active, and for each queue it consumes the
 * waiting, delayed and failed counts. And what `pm2 trigger <app> <action> [queue]` does:
 * `pause` / `resume` a queue (for every worker of it, on every host), `replay-dead-letters`
 * of a queue, `reconcile` (run the reconcilers now). Roles add their own (ROLE_METRICS).
 * Off outside PM2. Returns a stop.
 */
export async function publishToPm2(deps: DashboardDeps): Promise<() => void> {
  const io = await pm2Io();
  if (!io) return () => undefined;
  const completed = io.meter({ name: 'jobs completed/min', samples: 60, timeframe: 60 } as { name: string });
  const failed = io.meter({ name: 'jobs failed/min', samples: 60, timeframe: 60 } as { name: string });
  // A meter reads NaN (and PM2 leaves it out) until marked once: start both at zero.
  completed.mark(0);
  failed.mark(0);
  let active = 0;
  io.metric({ name: 'jobs active', value: () => active });
  for (const worker of deps.workers) {
    worker.on('active', () => void (active += 1));
    worker.on('completed', () => {
      active = Math.max(0, active - 1);
      completed.mark();
    });
    worker.on('failed', () => {
      active = Math.max(0, active - 1);
      failed.mark();
    });
  }

  const depth = new Map<string, number>();
  for (const queue of deps.queues) for (const state of ['waiting', 'delayed', 'failed']) io.metric({ name: `${queue} ${state}`, value: () => depth.get(`${queue} ${state}`) ?? 0 });
  const poll = setInterval(() => {
    void (async () => {
      for (const queue of deps.queues) {
        const counts = await deps.bus.queue(queue).getJobCounts('waiting', 'prioritized', 'delayed', 'failed');
        depth.set(`${queue} waiting`, (counts['waiting'] ?? 0) + (counts['prioritized'] ?? 0));
        depth.set(`${queue} delayed`, counts['delayed'] ?? 0);
        depth.set(`${queue} failed`, counts['failed'] ?? 0);
      }
    })().catch((err: unknown) => deps.logger.debug({ err }, 'could not read queue depths for PM2'));
  }, QUEUE_POLL_MS);
  poll.unref();

  const withQueue = (name: string, run: (queue: QueueName) => Promise<Record<string, unknown>>) =>
    io.action(name, (param: unknown, reply: Reply) => {
      const queue = typeof param === 'string' ? param.trim() : '';
      if (!isQueueName(queue)) return reply({ ok: false, error: `usage: pm2 trigger <app> ${name} <queue>; unknown queue "${queue}"` });
      run(queue)
        .then((answer) => {
          deps.logger.info({ action: name, queue, ...answer }, 'PM2 action done');
          reply({ ok: true, queue, ...answer });
        })
        .catch((err: unknown) => reply({ ok: false, queue, error: String(err) }));
    });
  withQueue('pause', async (queue) => {
    await deps.bus.queue(queue).pause();
    return { paused: true };
  });
  withQueue('resume', async (queue) => {
    await deps.bus.queue(queue).resume();
    return { paused: false };
  });
  withQueue('replay-dead-letters', async (queue) => ({ replayed: await replayQueueDeadLetters(deps, queue) }));
  io.action('reconcile', (reply: Reply) => {
    const at = Date.now();
    Promise.all(RECONCILERS.map((name) => deps.bus.enqueue(name, { tenantId: null }, { jobId: `${name}-now-${at}` })))
      .then(() => reply({ ok: true, enqueued: RECONCILERS }))
      .catch((err: unknown) => reply({ ok: false, error: String(err) }));
  });
  const stopRoleMetrics = ROLE_METRICS[deps.role]?.(io, deps) ?? (() => undefined);
  return () => {
    clearInterval(poll);
    stopRoleMetrics();
    io.destroy();
  };
}

/** Every dead letter of a queue not yet replayed, replayed (the same as the API's replay, one by one). */
async function replayQueueDeadLetters(deps: DashboardDeps, queue: QueueName): Promise<number> {
  let replayed = 0;
  let cursor: string | undefined;
  do {
    const page = await listDeadLetters(deps.db, { queue, limit: REPLAY_PAGE, ...(cursor ? { cursor } : {}) });
    for (const row of page.data) if (!row.replayedAt && (await replayDeadLetter(deps.db, deps.bus, row.id))) replayed += 1;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return replayed;
}
