import { Queue, type JobsOptions } from 'bullmq';
import { bullmqTelemetry, currentCorrelationId, newCorrelationId } from '@fieldhand/observability';
import type { Catalog, JobDefinition, JobEnvelope, JobInput, JobName } from './catalog.js';
import { BACKOFF_JITTER, QUEUE_SETTINGS } from './queue-defaults.js';
import { QUEUE_NAMES, type QueueName } from './queue-names.js';
import { isCluster, type RedisConnection } from './redis.js';

export type EnqueueOptions = Pick<JobsOptions, 'jobId' | 'delay' | 'priority' | 'deduplication' | 'attempts' | 'backoff'> & Partial<JobEnvelope>;

export class InvalidJobPayloadError extends Error {
  constructor(readonly jobName: string, readonly issues: unknown) {
    super(`Invalid payload for job ${jobName}`);
    this.name = 'InvalidJobPayloadError';
  }
}

/** Redis is not connected and this connection does not queue commands offline. */
export class QueueUnavailableError extends Error {
  readonly code = 'ECONNREFUSED';
  constructor(status: string) {
    super(`Redis is not connected (status ${status}; enableOfflineQueue is off)`);
    this.name = 'QueueUnavailableError';
  }
}

const READY_WAIT_MS = 2_000;

/** Failed jobs kept per queue: a week, at most 5,000 (dead letters keep the durable record). */
export const KEEP_FAILED = { age: 7 * 24 * 3_600, count: 5_000 };

// A reconciler treats a job that failed for good this long ago as missing, and gives its
// row a new one: a slow retry of work PostgreSQL says is still due, never a storm.
const FAILED_JOB_RETRY_AFTER_MS = 10 * 60_000;

/**
 * For reconcilers: is this job (by id) still handling its row? A missing job is not;
 * nor is one that failed for good over ten minutes ago, which is removed so the row's
 * deterministic job id can be used again.
 */
export async function jobStillOwnsWork(queue: { getJob(id: string): Promise<{ isFailed(): Promise<boolean>; finishedOn?: number | undefined; remove(): Promise<void> } | undefined> }, jobId: string, now = Date.now()): Promise<boolean> {
  const job = await queue.getJob(jobId);
  if (!job) return false;
  if (!(await job.isFailed())) return true;
  if ((job.finishedOn ?? now) > now - FAILED_JOB_RETRY_AFTER_MS) return true;
  await job.remove();
  return false;
}

export function defaultJobOptions(queue: QueueName): JobsOptions {
  const s = QUEUE_SETTINGS[queue];
  return {
    attempts: s.attempts,
    backoff: { type: 'exponential', delay: s.backoffMs, jitter: BACKOFF_JITTER },
    removeOnComplete: s.keepCompleted,
    // Bounded, so a storm of failures cannot fill a noeviction Redis; long enough for the
    // maintenance role to copy any one the worker could not record to dead_letters.
    removeOnFail: KEEP_FAILED,
  };
}

/**
 * On one Redis the prefix is QUEUE_PREFIX as it always was, so existing deployments keep
 * their jobs. On a Redis Cluster BullMQ's scripts touch several keys of a queue at once, so
 * each queue gets its own hash tag (`{fieldhand:sms-send}`): its keys share one slot
 * (no CROSSSLOT) and different queues spread over the shards.
 */
export function queuePrefix(prefix: string, queue: string, cluster: boolean): string {
  return cluster ? `{${prefix}:${queue}}` : prefix;
}

/** Typed producer over one catalog: a wrong job name or payload fails to compile and fails at run time. */
export class JobBus<C extends Catalog> {
  private readonly queues = new Map<QueueName, Queue>();

  constructor(
    readonly catalog: C,
    private readonly connection: RedisConnection,
    readonly prefix: string,
    private readonly onError: (err: Error, queue: QueueName) => void = () => undefined,
  ) {}

  /** The BullMQ prefix of one queue (workers must use the same); see queuePrefix. */
  queuePrefix(name: QueueName): string {
    return queuePrefix(this.prefix, name, isCluster(this.connection));
  }

  queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.connection, prefix: this.queuePrefix(name), defaultJobOptions: defaultJobOptions(name), telemetry: bullmqTelemetry() });
      // Without a listener, a connection error while Redis is down is re-thrown by
      // EventEmitter as an unhandled rejection and kills the process. The failing
      // operation itself still rejects, so callers see the error where it matters.
      queue.on('error', (err) => this.onError(err, name));
      this.queues.set(name, queue);
    }
    return queue;
  }

  allQueues(): Queue[] {
    return QUEUE_NAMES.map((name) => this.queue(name));
  }

  async enqueue<N extends JobName<C>>(name: N, payload: JobInput<C, N>, options: EnqueueOptions = {}): Promise<string> {
    const definition = this.catalog[name];
    if (!definition) throw new InvalidJobPayloadError(name, 'unknown job');
    const parsed = definition.schema.safeParse(payload);
    if (!parsed.success) throw new InvalidJobPayloadError(name, parsed.error.issues);
    return this.add(definition.queue, name, parsed.data, options);
  }

  /** Adds already-validated data (a replayed dead letter keeps its original data). */
  async add(queue: QueueName, name: string, data: Record<string, unknown>, options: EnqueueOptions = {}): Promise<string> {
    await this.connected();
    const job = await this.queue(queue).add(name, ...this.jobArgs(name, data, options));
    return job.id!;
  }

  /** Adds many jobs to one queue in one round trip (a batch of webhooks, say). */
  async addBulk(queue: QueueName, jobs: ReadonlyArray<{ name: string; data: Record<string, unknown>; options?: EnqueueOptions }>): Promise<string[]> {
    if (jobs.length === 0) return [];
    await this.connected();
    const added = await this.queue(queue).addBulk(
      jobs.map(({ name, data, options }) => {
        const [withCorrelation, opts] = this.jobArgs(name, data, options ?? {});
        return { name, data: withCorrelation, opts };
      }),
    );
    return added.map((job) => job.id!);
  }

  private jobArgs(name: string, data: Record<string, unknown>, options: EnqueueOptions): [Record<string, unknown>, JobsOptions] {
    const { correlationId, inboxId, fromOutbox, ...jobOptions } = options;
    const definition = this.catalog[name] as JobDefinition | undefined;
    const priority = jobOptions.priority ?? definition?.priority;
    if (priority !== undefined) jobOptions.priority = priority;
    if (definition?.retry && jobOptions.attempts === undefined) {
      jobOptions.attempts = definition.retry.attempts;
      jobOptions.backoff = { type: 'exponential', delay: definition.retry.backoffMs, jitter: BACKOFF_JITTER };
    }
    const envelope: JobEnvelope = {
      correlationId: correlationId ?? currentCorrelationId() ?? newCorrelationId(),
      ...(inboxId ? { inboxId } : {}),
      ...(fromOutbox ? { fromOutbox } : {}),
    };
    return [{ ...data, ...envelope }, jobOptions];
  }

  // A producer that fails fast (the API) must not wait on BullMQ's reconnect loop: give
  // a connection that is still coming up a moment, then answer so the caller can retry.
  private async connected(): Promise<void> {
    if (this.connection.options.enableOfflineQueue === false && this.connection.status !== 'ready') {
      await this.readyWithin(READY_WAIT_MS);
    }
  }

  private async readyWithin(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.connection.off('ready', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.connection.once('ready', done);
    });
    if (this.connection.status !== 'ready') throw new QueueUnavailableError(this.connection.status);
  }

  async depths(): Promise<Array<{ queue: string; state: string; count: number }>> {
    const rows: Array<{ queue: string; state: string; count: number }> = [];
    for (const queue of this.allQueues()) {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed');
      for (const [state, count] of Object.entries(counts)) rows.push({ queue: queue.name, state, count });
    }
    return rows;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }
}
