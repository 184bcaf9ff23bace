import { markInboxEnqueued, type Database, type InboxRow } from '@fieldhand/db';
import type { Catalog } from './catalog.js';
import type { JobBus } from './job-bus.js';
import { isQueueName } from './queue-names.js';

const INBOX_JOB_PREFIX = 'inbox-';

/** One job id per inbox row: re-enqueueing a row whose job is still in Redis is a no-op. */
export function inboxJobId(inboxId: string): string {
  return `${INBOX_JOB_PREFIX}${inboxId}`;
}

/** The inbox row a job was enqueued for, if it was (its processor marks the row processed). */
export function inboxIdOfJob(jobId: string | undefined): string | undefined {
  return jobId?.startsWith(INBOX_JOB_PREFIX) ? jobId.slice(INBOX_JOB_PREFIX.length) : undefined;
}

/** Enqueues the job recorded on an inbox row (its payload is the job's data). */
export async function enqueueInboxRow<C extends Catalog>(db: Database, bus: JobBus<C>, row: InboxRow): Promise<string> {
  if (!isQueueName(row.queue)) throw new Error(`Inbox row ${row.id} names an unknown queue ${row.queue}`);
  const jobId = await bus.add(row.queue, row.jobName, row.payload, {
    jobId: inboxJobId(row.id),
    ...(row.correlationId ? { correlationId: row.correlationId } : {}),
  });
  await markInboxEnqueued(db, row.id);
  return jobId;
}
