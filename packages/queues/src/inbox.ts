import { findUnprocessedInbox, insertInboxRow, markInboxEnqueued, type Database, type Executor, type InboxJob } from '@fieldhand/db';
import type { Logger } from '@fieldhand/observability';
import type { Catalog, JobInput, JobName } from './catalog.js';
import { InvalidJobPayloadError, type EnqueueOptions, type JobBus } from './job-bus.js';
import { isQueueName, type QueueName } from './queue-names.js';

/**
 * The inbox: a vendor's webhook delivery is stored (unique on the vendor's id) with the
 * job that handles it, before the vendor gets its answer; then the job is enqueued.
 *
 *   const row = await recordInbox(db, bus.catalog, delivery);   // undefined: a redelivery
 *   if (row) await enqueueInbox(bus, [row]);
 *
 * The worker marks the row processed once the handler succeeded (markJobRowsDone); rows
 * still unprocessed after a while are enqueued again by reconcileInbox.
 */
export type InboxDelivery<C extends Catalog> = {
  [N in JobName<C>]: { provider: string; externalId: string; tenantId: string | null; name: N; data: JobInput<C, N>; correlationId?: string };
}[JobName<C>];

/** The job columns of an inbox row: queue from the catalog, payload checked by its schema. */
export function inboxJob<C extends Catalog, N extends JobName<C>>(catalog: C, name: N, data: JobInput<C, N>): { queue: QueueName; jobName: N; payload: Record<string, unknown> } {
  const definition = catalog[name]!;
  const parsed = definition.schema.safeParse(data);
  if (!parsed.success) throw new InvalidJobPayloadError(name, parsed.error.issues);
  return { queue: definition.queue, jobName: name, payload: parsed.data };
}

/** Stores a delivery and its job (in the caller's transaction, if given); undefined when the vendor already delivered it. */
export async function recordInbox<C extends Catalog>(db: Executor, catalog: C, delivery: InboxDelivery<C>): Promise<InboxJob | undefined> {
  const { provider, externalId, tenantId, correlationId, name, data } = delivery;
  return insertInboxRow(db, { provider, externalId, tenantId, correlationId: correlationId ?? null, ...inboxJob(catalog, name, data) });
}

/** One job id per inbox row: re-enqueueing a row whose job is still in Redis is a no-op. */
export function inboxJobId(inboxId: string): string {
  return `inbox-${inboxId}`;
}

function jobOf(row: InboxJob): { name: string; data: Record<string, unknown>; options: EnqueueOptions } {
  return { name: row.jobName, data: row.payload, options: { jobId: inboxJobId(row.id), inboxId: row.id, ...(row.correlationId ? { correlationId: row.correlationId } : {}) } };
}

function queueOf(row: InboxJob): QueueName {
  if (!isQueueName(row.queue)) throw new Error(`Inbox row ${row.id} names an unknown queue ${row.queue}`);
  return row.queue;
}

/**
 * Enqueues the jobs of stored inbox rows, one Redis round trip per queue. The rows need
 * no "enqueued" mark: the reconciler looks only at rows still unprocessed after a while.
 */
export async function enqueueInbox<C extends Catalog>(bus: JobBus<C>, rows: readonly InboxJob[]): Promise<void> {
  const byQueue = new Map<QueueName, InboxJob[]>();
  for (const row of rows) byQueue.set(queueOf(row), [...(byQueue.get(queueOf(row)) ?? []), row]);
  await Promise.all([...byQueue].map(([queue, queued]) => bus.addBulk(queue, queued.map(jobOf))));
}

// After this many re-enqueues a row needs a person: its job keeps failing or vanishing.
const MAX_ENQUEUES = 10;
const BATCH = 500;

/**
 * Re-enqueues deliveries that were stored but never processed (the API crashed before
 * enqueueing, or Redis lost the job). A no-op for rows whose job is still in Redis.
 */
export async function reconcileInbox<C extends Catalog>(
  deps: { db: Database; bus: JobBus<C>; logger: Logger },
  olderThanSeconds: number,
): Promise<{ reenqueued: number; stuck: number }> {
  const rows = await findUnprocessedInbox(deps.db, new Date(Date.now() - olderThanSeconds * 1000), BATCH);
  let reenqueued = 0;
  let stuck = 0;
  for (const row of rows) {
    if (row.attempts >= MAX_ENQUEUES) {
      stuck++;
      continue;
    }
    await enqueueInbox(deps.bus, [row]);
    await markInboxEnqueued(deps.db, row.id);
    reenqueued++;
  }
  if (stuck > 0) deps.logger.error({ stuck }, 'webhook inbox rows exceeded their enqueue limit; see webhook_inbox.last_error');
  if (reenqueued > 0) deps.logger.info({ reenqueued }, 'reconciled unprocessed webhook inbox rows');
  return { reenqueued, stuck };
}
