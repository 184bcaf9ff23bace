import { findStaleOutbox, findUnprocessedInbox, markInboxEnqueued, type Database, type OutboxRow } from '@fieldhand/db';
import type { Logger } from '@fieldhand/observability';
import { enqueueInboxRow, flushOutbox, isQueueName, jobStillOwnsWork, type Catalog, type JobBus } from '@fieldhand/queues';

// After this many re-enqueues a row needs a person: its job keeps failing or vanishing.
const MAX_ENQUEUES = 10;
const BATCH = 500;

/**
 * Re-enqueues webhook deliveries that were stored but never processed (the API
 * crashed before enqueueing, or Redis lost the job). Deterministic job ids make
 * this a no-op for rows whose job is still in Redis.
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
    await enqueueInboxRow(deps.bus, row);
    await markInboxEnqueued(deps.db, row.id);
    reenqueued++;
  }
  if (stuck > 0) deps.logger.error({ stuck }, 'webhook inbox rows exceeded their enqueue limit; see webhook_inbox.last_error');
  if (reenqueued > 0) deps.logger.info({ reenqueued }, 'reconciled unprocessed webhook inbox rows');
  return { reenqueued, stuck };
}

/**
 * Puts back outbox jobs Redis does not have: the writer died between its commit and
 * the enqueue, or Redis lost the job before its consumer handled it (which deletes
 * the row). Rows whose job is still in Redis are left alone.
 */
export async function reconcileOutbox<C extends Catalog>(deps: { db: Database; bus: JobBus<C>; logger: Logger }, olderThanSeconds: number): Promise<number> {
  const before = new Date(Date.now() - olderThanSeconds * 1000);
  let restored = 0;
  let after: OutboxRow | undefined;
  for (;;) {
    const rows = await findStaleOutbox(deps.db, before, BATCH, after);
    const missing: typeof rows = [];
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
