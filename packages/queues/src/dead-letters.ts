import type { Job } from 'bullmq';
import {
  findDeadLetter,
  markDeadLetterReplayed,
  recordDeadLetter,
  recordedDeadLetters,
  deleteDeadLetter,
  type Database,
  type DeadLetterRow,
} from '@fieldhand/db';
import type { Catalog } from './catalog.js';
import type { JobBus } from './job-bus.js';
import { jobCatalog, type FieldhandCatalog } from './jobs/index.js';
import { flushOutbox, writeOutbox, type OutboxJob } from './outbox.js';
import { isQueueName, QUEUE_NAMES } from './queue-names.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A tenant's dead letter as its `dead_letter.created` event (id `dead-letter-<row id>`).
 * Built here, not with @fieldhand/events' eventJob, because that package depends on this
 * one; the envelope is the catalog's `events.publish` schema and the data the event
 * catalog's shape (a test checks both). A failed job of the `events` queue itself is not
 * reported: an event about an undeliverable event would go to the endpoint that failed.
 */
function deadLetterEvent(row: DeadLetterRow): OutboxJob<FieldhandCatalog>[] {
  if (!row.tenantId || row.queue === 'events') return [];
  const id = `dead-letter-${row.id}`;
  const data = { deadLetterId: row.id, queue: row.queue, name: row.jobName, error: row.error };
  return [
    {
      name: 'events.publish',
      jobId: `ev-${id}`,
      tenantId: row.tenantId,
      data: { tenantId: row.tenantId, id: `evt_${id}`, type: 'dead_letter.created', timestamp: row.failedAt.toISOString(), data },
    },
  ];
}

/**
 * Copies a job that exhausted its attempts to PostgreSQL (the durable record, with its
 * `dead_letter.created` event in the same transaction) and to the `dead-letter` queue
 * (where bull-board shows it). Idempotent: the same final attempt recorded twice yields
 * one row, one event and one queue entry.
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
  const { row, outbox } = await db.transaction(async (tx) => {
    const recorded = await recordDeadLetter(tx, {
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
    return { row: recorded, outbox: recorded ? await writeOutbox(tx, jobCatalog, deadLetterEvent(recorded)) : [] };
  });
  if (row) {
    await bus.queue('dead-letter').add(
      `${row.queue}/${row.jobName}`,
      { deadLetterId: row.id, queue: row.queue, name: row.jobName, jobId: row.jobId, data, attempts: row.attempts, error: row.error, stack: row.stack, tenantId, correlationId },
      { jobId: row.id },
    );
    // Committed: if Redis fails now, the outbox reconciler enqueues the event.
    await flushOutbox(bus, outbox).catch(() => 0);
  }
  return row;
}

// Newest failed jobs looked at per queue and pass; the worker records nearly all itself.
const FAILED_SCAN = 1_000;

/**
 * Copies to dead_letters every failed job (BullMQ's failed set holds only jobs that
 * failed for good) that has no dead letter yet: those whose worker could not reach
 * PostgreSQL at the moment of failure. Failed jobs stay in Redis for a week
 * (KEEP_FAILED), so a dead letter is recorded even after a long outage.
 */
export async function recordFailedJobs<C extends Catalog>(db: Database, bus: JobBus<C>): Promise<number> {
  let recorded = 0;
  for (const queueName of QUEUE_NAMES) {
    if (queueName === 'dead-letter') continue;
    const failed = (await bus.queue(queueName).getFailed(0, FAILED_SCAN - 1)).filter((job): job is Job => Boolean(job?.id));
    const known = await recordedDeadLetters(db, queueName, failed.map((job) => job.id!));
    for (const job of failed) {
      if (known.has(`${job.id}:${job.attemptsMade}`)) continue;
      const error = Object.assign(new Error(job.failedReason || 'failed'), { stack: job.stacktrace?.at(-1) ?? undefined });
      if (await deadLetterJob(db, bus, job, error, job.attemptsMade)) recorded++;
    }
  }
  return recorded;
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
