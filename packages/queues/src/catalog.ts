import { z } from 'zod';
import type { QueueName } from './queue-names.js';

export type JobDefinition = {
  queue: QueueName;
  schema: z.ZodType<Record<string, unknown>>;
  /**
   * BullMQ priority for every job of this name (1 = highest explicit priority). Jobs
   * without one run before any prioritized job, so "new work" gets a priority and
   * work already due (a woken wait, a follow-up text) does not.
   */
  priority?: number;
  /** Tries and first backoff for this job where its queue's default (QUEUE_SETTINGS) does not fit. */
  retry?: { attempts: number; backoffMs: number };
  /**
   * A recurring job, every this many milliseconds: the scheduler owner keeps one BullMQ
   * job scheduler per entry (id = job name), with the payload the schema gives `{}`.
   */
  everyMs?: number;
};
export type Catalog = Record<string, JobDefinition>;

export function defineCatalog<const C extends Catalog>(catalog: C): C {
  return catalog;
}

export type JobName<C extends Catalog> = Extract<keyof C, string>;
export type JobInput<C extends Catalog, N extends JobName<C>> = z.input<C[N]['schema']>;
export type JobData<C extends Catalog, N extends JobName<C>> = z.output<C[N]['schema']>;

/** Priority of new work (fresh events, a run's first step and text): due continuations go first. */
export const NEW_WORK_PRIORITY = 10;

/** Every job payload carries its tenant (null for system-wide work). */
export const tenantScoped = z.object({ tenantId: z.uuid().nullable() });

/**
 * What the bus adds around a payload in Redis; the catalog's schema strips it before a
 * handler sees the data. A job enqueued for an inbox row or an outbox row names it, and
 * the worker marks that row done once the handler succeeds.
 */
export type JobEnvelope = { correlationId: string; inboxId?: string; fromOutbox?: true };
