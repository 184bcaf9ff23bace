import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Database } from '@fieldhand/db';
import { bullmqTelemetry, jobDuration, jobOutcomes, newCorrelationId, withCorrelation, type Logger } from '@fieldhand/observability';
import type { Catalog, JobName } from './catalog.js';
import { deadLetterJob } from './dead-letters.js';
import { assertHandlersComplete, isLastAttempt, type HandlerMap, type JobHandler } from './handlers.js';
import { markJobRowsDone } from './job-rows.js';
import type { JobBus } from './job-bus.js';
import { QUEUE_SETTINGS } from './queue-defaults.js';
import type { QueueName } from './queue-names.js';
import type { RedisConnection } from './redis.js';

export type WorkerRoleOptions<C extends Catalog> = {
  role: string;
  queues: readonly QueueName[];
  handlers: HandlerMap<C>;
  bus: JobBus<C>;
  db: Database;
  /** A dedicated connection: BullMQ workers block on it. */
  connection: RedisConnection;
  logger: Logger;
  /** How long a job's lock lasts without renewal; a killed worker's job is retried after this. */
  lockDurationMs?: number;
  concurrency?: Partial<Record<QueueName, number>>;
};

export type RunningWorkers = {
  workers: Worker[];
  /** Stops taking jobs, waits up to `timeoutMs` for active ones, then aborts the rest so they retry elsewhere. */
  close: (timeoutMs: number) => Promise<void>;
};

function isFinalAttempt(job: Job, error: unknown): boolean {
  return error instanceof UnrecoverableError || isLastAttempt(job);
}

export function runWorkers<C extends Catalog>(options: WorkerRoleOptions<C>): RunningWorkers {
  const { bus, db, logger } = options;
  assertHandlersComplete(bus.catalog, options.queues, options.handlers);
  const shutdown = new AbortController();

  const processJob = async (job: Job): Promise<unknown> => {
    const data = job.data as Record<string, unknown>;
    const correlationId = typeof data.correlationId === 'string' ? data.correlationId : newCorrelationId();
    const tenantId = typeof data.tenantId === 'string' ? data.tenantId : undefined;
    return withCorrelation({ correlationId, tenantId, queue: job.queueName, jobId: job.id }, async () => {
      const started = performance.now();
      const labels = { queue: job.queueName, name: job.name };
      try {
        const result = await runHandler(job);
        record(labels, 'completed', started);
        return result;
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        if (shutdown.signal.aborted) {
          // Interrupted by our own shutdown: not the job's fault and not its last word.
          logger.warn({ err: error }, 'job interrupted by shutdown; it will be retried');
          throw error;
        }
        if (isFinalAttempt(job, error)) {
          record(labels, 'dead_lettered', started);
          if (await recordDeadLetter(job, error, job.attemptsMade + 1)) {
            logger.error({ err: error, attempts: job.attemptsMade + 1 }, 'job failed for good; copied to dead-letter');
          }
        } else {
          record(labels, 'failed', started);
          logger.warn({ err: error, attempt: job.attemptsMade + 1 }, 'job failed; will retry');
        }
        throw error;
      }
    });
  };

  /**
   * A dead letter must not be lost because PostgreSQL blinked at the moment of failure:
   * a few quick retries, then the failed job stays in Redis and the maintenance role
   * records it (recordFailedJobs). Recording twice yields one row.
   */
  const recordDeadLetter = async (job: Job, error: Error, attempts: number): Promise<boolean> => {
    for (let attempt = 0; attempt < 4; attempt++) {
      try {
        await deadLetterJob(db, bus, job, error, attempts);
        return true;
      } catch (err) {
        if (attempt === 3) {
          logger.error({ err, jobError: error.message }, 'job failed for good but its dead letter could not be recorded yet; the maintenance role will record it from the failed job');
          return false;
        }
        await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
      }
    }
    return false;
  };

  const runHandler = async (job: Job): Promise<unknown> => {
    const definition = bus.catalog[job.name];
    const handler = options.handlers[job.name as JobName<C>] as JobHandler<C, JobName<C>> | undefined;
    if (!definition || !handler) throw new UnrecoverableError(`No handler for job ${job.name} on queue ${job.queueName}`);
    const parsed = definition.schema.safeParse(job.data);
    if (!parsed.success) {
      throw new UnrecoverableError(`Invalid payload for ${job.name}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    logger.debug({ name: job.name, attempt: job.attemptsMade + 1 }, 'job started');
    const result = await handler(parsed.data as never, { job, logger: logger.child({ job: job.name }), signal: shutdown.signal });
    await markJobRowsDone(db, job);
    return result;
  };

  const record = (labels: { queue: string; name: string }, outcome: string, started: number) => {
    jobDuration.observe({ ...labels, outcome }, (performance.now() - started) / 1000);
    jobOutcomes.inc({ ...labels, outcome });
  };

  const workers = options.queues.map((queue) => {
    const worker = new Worker(queue, processJob, {
      connection: options.connection,
      prefix: bus.queuePrefix(queue),
      concurrency: options.concurrency?.[queue] ?? QUEUE_SETTINGS[queue].concurrency,
      lockDuration: options.lockDurationMs ?? 30_000,
      stalledInterval: Math.max(1_000, Math.floor((options.lockDurationMs ?? 30_000) / 2)),
      maxStalledCount: 2,
      // With tracing on, each job runs in a span whose parent is the span that enqueued it.
      telemetry: bullmqTelemetry(),
    });
    worker.on('error', (err) => logger.error({ err, queue }, 'worker error'));
    // A job that stalled too often is failed by BullMQ without reaching our handler's catch.
    worker.on('failed', (job, err) => {
      if (!job || !/stalled/i.test(err.message)) return;
      void deadLetterJob(db, bus, job, err, job.attemptsMade).catch((e: unknown) => logger.error({ err: e }, 'could not dead-letter stalled job'));
    });
    return worker;
  });

  return {
    workers,
    close: async (timeoutMs) => {
      const graceful = Promise.all(workers.map((w) => w.close())).then(() => true);
      const timedOut = new Promise<false>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref());
      if (await Promise.race([graceful, timedOut])) return;
      logger.warn({ timeoutMs }, 'active jobs did not finish in time; aborting them so they retry elsewhere');
      shutdown.abort();
      await Promise.race([
        Promise.all(workers.map((w) => w.close(true))),
        new Promise((resolve) => setTimeout(resolve, 2_000).unref()),
      ]);
    },
  };
}
