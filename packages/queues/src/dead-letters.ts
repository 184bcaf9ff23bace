import type { Job } from 'bullmq';
import {
  findDeadLetter,
  markDeadLetterReplayed,
  recordDeadLetter,
  deleteDeadLetter,
  type Database,
  type DeadLetterRow,
} from '@fieldhand/db';
import type { Catalog } from './catalog.js';
import type { JobBus } from './job-bus.js';
import { isQueueName } from './queue-names.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Copies a job that exhausted its attempts to PostgreSQL (the durable record)
 * and to the `dead-letter` queue (where bull-board shows it). Idempotent: the
 * same final attempt recorded twice yields one row and one queue entry.
 */
export async function deadLetterJob<C extends Catalog>(
  db: Database,
  bus: JobBus<C>,
  job: Job,
  error: Error,
  attempts: number,
): Promise<DeadLetterRow | undefined> {
  const { correlationId, ...data } = job.data as Record<string, unknown> & { correlationId?: string };
  const tenantId = typeof data.tenantId === 'string' && UUID.test(data.tenantId) ? data.tenantId : null;
  const row = await recordDeadLetter(db, {
    queue: job.queueName,
    jobName: job.name,
    jobId: job.id ?? 'unknown',
    data,
    attempts,
    error: error.message || error.name,
    stack: error.stack ?? null,
    tenantId,
    correlationId: correlationId ?? null,
  });
  if (row) {
    await bus.queue('dead-letter').add(
      `${row.queue}/${row.jobName}`,
      { deadLetterId: row.id, queue: row.queue, name: row.jobName, jobId: row.jobId, data, attempts: row.attempts, error: row.error, stack: row.stack, tenantId, correlationId },
      { jobId: row.id },
    );
  }
  return row;
}

export type ReplayResult = { deadLetter: DeadLetterRow; jobId: string };

/** Re-adds a dead letter to its original queue with the same data. */
export async function replayDeadLetter<C extends Catalog>(db: Database, bus: JobBus<C>, id: string): Promise<ReplayResult | undefined> {
  const row = await findDeadLetter(db, id);
  if (!row) return undefined;
  if (!isQueueName(row.queue)) throw new Error(`Dead letter ${id} names an unknown queue ${row.queue}`);
  // A stable job id makes a double-clicked replay add one job, not two.
  const jobId = await bus.add(row.queue, row.jobName, row.data, {
    jobId: `replay-${row.id}`,
    ...(row.correlationId ? { correlationId: row.correlationId } : {}),
  });
  await markDeadLetterReplayed(db, row.id, jobId);
  await bus.queue('dead-letter').remove(row.id);
  return { deadLetter: { ...row, replayedAt: new Date(), replayJobId: jobId }, jobId };
}

export async function discardDeadLetter<C extends Catalog>(db: Database, bus: JobBus<C>, id: string): Promise<boolean> {
  const row = await deleteDeadLetter(db, id);
  if (!row) return false;
  await bus.queue('dead-letter').remove(row.id);
  return true;
}
