import { findStaleOutbox, findUnprocessedInbox, type Database } from '@fieldhand/db';
import type { Logger } from '@fieldhand/observability';
import { enqueueInboxRow, flushOutbox, type Catalog, type JobBus } from '@fieldhand/queues';

// After this many enqueues a row needs a person: its job keeps failing or vanishing.
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
    await enqueueInboxRow(deps.db, deps.bus, row);
    reenqueued++;
  }
  if (stuck > 0) deps.logger.error({ stuck }, 'webhook inbox rows exceeded their enqueue limit; see webhook_inbox.last_error');
  if (reenqueued > 0) deps.logger.info({ reenqueued }, 'reconciled unprocessed webhook inbox rows');
  return { reenqueued, stuck };
}

/**
 * Enqueues outbox rows whose writer committed but died before enqueueing them.
 * Writers flush within milliseconds of their commit; older rows were left behind.
 */
export async function reconcileOutbox<C extends Catalog>(deps: { db: Database; bus: JobBus<C>; logger: Logger }, olderThanSeconds: number): Promise<number> {
  let total = 0;
  for (;;) {
    const rows = await findStaleOutbox(deps.db, new Date(Date.now() - olderThanSeconds * 1000), BATCH);
    total += await flushOutbox(deps.db, deps.bus, rows);
    if (rows.length < BATCH) break;
  }
  if (total > 0) deps.logger.warn({ enqueued: total }, 'enqueued outbox rows left behind by a crashed writer');
  return total;
}
