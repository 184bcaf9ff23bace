import { findOverdueSends, type Database } from '@fieldhand/db';
import type { Logger } from '@fieldhand/observability';
import { jobStillOwnsWork, type FieldhandCatalog, type JobBus } from '@fieldhand/queues';
import { sendJobId } from './create-message.js';

const BATCH = 2_000;

/**
 * PostgreSQL is the truth for outbound texts too: a row still `queued` (or left
 * `sending`) long after it was due, whose send job Redis lost (FLUSHALL, a restart
 * without persistence), gets its first send job again. The job id is the row's
 * first one, so while that job still exists this adds nothing; a second job for
 * the same row is harmless anyway, since only one attempt can claim it. A job that
 * failed for good counts as missing.
 */
export async function requeueLostSends(deps: { db: Database; bus: JobBus<FieldhandCatalog>; logger: Logger }, olderThanSeconds: number): Promise<{ reenqueued: number }> {
  const rows = await findOverdueSends(deps.db, new Date(Date.now() - olderThanSeconds * 1000), BATCH);
  const queue = deps.bus.queue('sms-send');
  let reenqueued = 0;
  for (const row of rows) {
    // A send job that failed for good (dead-lettered) with its row still due is as good as
    // missing: the text must still go out or be settled; a new attempt adopts one already at Twilio.
    if (await jobStillOwnsWork(queue, sendJobId(row.id))) continue;
    await deps.bus.enqueue('sms.send', { tenantId: row.tenantId, messageId: row.id }, { jobId: sendJobId(row.id) });
    reenqueued++;
  }
  if (reenqueued > 0) deps.logger.warn({ reenqueued, checked: rows.length }, 'texts due long ago had no send job in Redis; re-enqueued');
  return { reenqueued };
}
