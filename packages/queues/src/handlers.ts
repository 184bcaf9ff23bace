import type { Job } from 'bullmq';
import type { Logger } from '@fieldhand/observability';
import type { Catalog, JobData, JobName } from './catalog.js';
import type { QueueName } from './queue-names.js';

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
