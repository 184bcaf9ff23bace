import type { OutboxRow } from '@fieldhand/db';
import type { Catalog } from './catalog.js';
import type { JobBus } from './job-bus.js';
import { isQueueName } from './queue-names.js';

/**
 * Enqueues committed outbox rows under their own job ids. Safe to run again (a job
 * id already in Redis is not added twice); the consumer deletes the row
 * (completeOutbox) once it has handled the job.
 */
export async function flushOutbox<C extends Catalog>(bus: JobBus<C>, rows: readonly OutboxRow[]): Promise<number> {
  for (const row of rows) {
    if (!isQueueName(row.queue)) throw new Error(`Outbox row ${row.id} names an unknown queue ${row.queue}`);
    await bus.add(row.queue, row.jobName, row.payload, { jobId: row.jobId });
  }
  return rows.length;
}
