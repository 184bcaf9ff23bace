import type { InboxJob } from '@fieldhand/db';
import type { Catalog } from './catalog.js';
import type { EnqueueOptions, JobBus } from './job-bus.js';
import { isQueueName, type QueueName } from './queue-names.js';

const INBOX_JOB_PREFIX = 'inbox-';

/** One job id per inbox row: re-enqueueing a row whose job is still in Redis is a no-op. */
export function inboxJobId(inboxId: string): string {
  return `${INBOX_JOB_PREFIX}${inboxId}`;
}

/** The inbox row a job was enqueued for, if it was (its processor marks the row processed). */
export function inboxIdOfJob(jobId: string | undefined): string | undefined {
  return jobId?.startsWith(INBOX_JOB_PREFIX) ? jobId.slice(INBOX_JOB_PREFIX.length) : undefined;
}

/** The job an inbox row records (its payload is the job's data). */
function jobOf(row: InboxJob): { name: string; data: Record<string, unknown>; options: EnqueueOptions } {
  return { name: row.jobName, data: row.payload, options: { jobId: inboxJobId(row.id), ...(row.correlationId ? { correlationId: row.correlationId } : {}) } };
}

function queueOf(row: InboxJob): QueueName {
  if (!isQueueName(row.queue)) throw new Error(`Inbox row ${row.id} names an unknown queue ${row.queue}`);
  return row.queue;
}

/**
 * Enqueues the job recorded on an inbox row. The row needs no "enqueued" mark: the
 * reconciler looks only at rows still unprocessed after a while, and the job id
 * makes a second add a no-op.
 */
export async function enqueueInboxRow<C extends Catalog>(bus: JobBus<C>, row: InboxJob): Promise<string> {
  const { name, data, options } = jobOf(row);
  return bus.add(queueOf(row), name, data, options);
}

/** Enqueues many inbox rows with one Redis round trip per queue. */
export async function enqueueInboxRows<C extends Catalog>(bus: JobBus<C>, rows: readonly InboxJob[]): Promise<void> {
  const byQueue = new Map<QueueName, InboxJob[]>();
  for (const row of rows) byQueue.set(queueOf(row), [...(byQueue.get(queueOf(row)) ?? []), row]);
  await Promise.all([...byQueue].map(([queue, queued]) => bus.addBulk(queue, queued.map(jobOf))));
}
