import { findStaleOutbox, insertOutbox, type Database, type Executor, type OutboxRow } from '@fieldhand/db';
import type { Logger } from '@fieldhand/observability';
import type { Catalog, JobInput, JobName } from './catalog.js';
import { InvalidJobPayloadError, jobStillOwnsWork, type JobBus } from './job-bus.js';
import { isQueueName } from './queue-names.js';

/**
 * The outbox: jobs a writer decides on inside its transaction, enqueued only after it
 * commits, so a consumer never acts on a change that was rolled back or not yet visible.
 *
 *   const rows = await writeOutbox(tx, bus.catalog, jobs);   // inside the transaction
 *   await flushOutbox(bus, rows);                            // after the commit
 *
 * The worker deletes a row once its job's handler succeeded (markJobRowsDone); rows left
 * behind by a crash or a Redis loss are enqueued again by reconcileOutbox.
 */
export type OutboxJob<C extends Catalog> = {
  [N in JobName<C>]: { name: N; data: JobInput<C, N>; jobId: string; tenantId: string | null };
}[JobName<C>];

/** Records jobs in the caller's transaction, each payload checked by its catalog schema. */
export async function writeOutbox<C extends Catalog>(tx: Executor, catalog: C, jobs: readonly OutboxJob<C>[]): Promise<OutboxRow[]> {
  const rows = jobs.map((job) => {
    const definition = catalog[job.name]!;
    const parsed = definition.schema.safeParse(job.data);
    if (!parsed.success) throw new InvalidJobPayloadError(job.name, parsed.error.issues);
    return { tenantId: job.tenantId, queue: definition.queue, jobName: job.name, jobId: job.jobId, payload: parsed.data };
  });
  return insertOutbox(tx, rows);
}

/** Enqueues committed outbox rows under their own job ids; safe to repeat (an existing job id adds nothing). */
export async function flushOutbox<C extends Catalog>(bus: JobBus<C>, rows: readonly OutboxRow[]): Promise<number> {
  for (const row of rows) {
    if (!isQueueName(row.queue)) throw new Error(`Outbox row ${row.id} names an unknown queue ${row.queue}`);
    await bus.add(row.queue, row.jobName, row.payload, { jobId: row.jobId, fromOutbox: true });
  }
  return rows.length;
}

const BATCH = 500;

/**
 * Puts back outbox jobs Redis does not have: the writer died between its commit and
 * the enqueue, or Redis lost the job before its consumer handled it. Rows whose job is
 * still in Redis are left alone.
 */
export async function reconcileOutbox<C extends Catalog>(deps: { db: Database; bus: JobBus<C>; logger: Logger }, olderThanSeconds: number): Promise<number> {
  const before = new Date(Date.now() - olderThanSeconds * 1000);
  let restored = 0;
  let after: OutboxRow | undefined;
  for (;;) {
    const rows = await findStaleOutbox(deps.db, before, BATCH, after);
    const missing: OutboxRow[] = [];
    for (const row of rows) {
      if (!isQueueName(row.queue) || !(await jobStillOwnsWork(deps.bus.queue(row.queue), row.jobId))) missing.push(row);
    }
    restored += await flushOutbox(deps.bus, missing);
    if (rows.length < BATCH) break;
    after = rows.at(-1);
  }
  if (restored > 0) deps.logger.warn({ restored }, 'outbox jobs missing from Redis were enqueued again');
  return restored;
}
