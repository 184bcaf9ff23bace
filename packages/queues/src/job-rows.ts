import type { Job } from 'bullmq';
import { completeOutbox, markInboxProcessed, type Database } from '@fieldhand/db';
import type { JobEnvelope } from './catalog.js';

/**
 * A handled job's inbox row is processed and its outbox row no longer needed; the
 * envelope says which it came from. A crash before this runs leaves the row for its
 * reconciler, which enqueues the same job id again: handlers are idempotent.
 */
export async function markJobRowsDone(db: Database, job: Job): Promise<void> {
  const envelope = job.data as Partial<JobEnvelope>;
  if (typeof envelope.inboxId === 'string') await markInboxProcessed(db, envelope.inboxId);
  if (envelope.fromOutbox === true && job.id) await completeOutbox(db, job.id);
}
