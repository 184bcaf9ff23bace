import type { Job } from 'bullmq';
import type { Logger } from '@fieldhand/observability';
import type { Catalog, JobData, JobName } from './catalog.js';
import { PARKING_QUEUES, QUEUE_NAMES, type QueueName } from './queue-names.js';

export type JobContext = {
  job: Job;
  logger: Logger;
  /** Aborted when the worker shuts down; long handlers should stop and let the job retry. */
  signal: AbortSignal;
};

/** This attempt is the job's last: a handler may settle for less than retrying (log and finish). */
export function isLastAttempt(job: Job): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

export type JobHandler<C extends Catalog, N extends JobName<C>> = (data: JobData<C, N>, ctx: JobContext) => Promise<unknown>;

/** The jobs the catalog routes to any of the queues `Q`. */
export type JobsOn<C extends Catalog, Q extends QueueName> = { [N in JobName<C>]: C[N]['queue'] extends Q ? N : never }[JobName<C>];

/** A handler for every job on the queues `Q`: leaving one out fails to compile. */
export type HandlersFor<C extends Catalog, Q extends QueueName> = { [N in JobsOn<C, Q>]: JobHandler<C, N> };

export type HandlerMap<C extends Catalog> = { [N in JobName<C>]?: JobHandler<C, N> };

export class MissingHandlerError extends Error {
  constructor(readonly missing: string[]) {
    super(`Refusing to start: no handler for job(s) ${missing.join(', ')}`);
    this.name = 'MissingHandlerError';
  }
}

/** Every job the catalog routes to one of `queues` must have a handler, or the role may not start. */
export function assertHandlersComplete<C extends Catalog>(catalog: C, queues: readonly QueueName[], handlers: HandlerMap<C>): void {
  const missing = Object.entries(catalog)
    .filter(([name, def]) => queues.includes(def.queue) && typeof handlers[name as JobName<C>] !== 'function')
    .map(([name]) => name);
  if (missing.length > 0) throw new MissingHandlerError(missing);
}

export class UnconsumedQueueError extends Error {
  constructor(readonly queues: string[]) {
    super(`Refusing to start: no worker role consumes queue(s) ${queues.join(', ')}`);
    this.name = 'UnconsumedQueueError';
  }
}

/**
 * Every queue (and every queue a catalog job names) has at least one role consuming it,
 * except the parking queues: otherwise its jobs would wait forever and nothing would say so.
 */
export function assertEveryQueueConsumed<C extends Catalog>(catalog: C, roles: ReadonlyArray<{ queues: readonly QueueName[] }>): void {
  const consumed = new Set(roles.flatMap((role) => role.queues));
  const queues = new Set<string>([...QUEUE_NAMES, ...Object.values(catalog).map((def) => def.queue)]);
  const unconsumed = [...queues].filter((queue) => !consumed.has(queue as QueueName) && !PARKING_QUEUES.includes(queue as QueueName));
  if (unconsumed.length > 0) throw new UnconsumedQueueError(unconsumed);
}
