import type { InboxJob } from '@fieldhand/db';
import type { Logger } from '@fieldhand/observability';

// How long a webhook waits for Redis before leaving the job to the inbox reconciler.
const ENQUEUE_TIMEOUT_MS = 1_000;

/**
 * Enqueues a stored webhook's job without letting a slow or absent Redis hold the
 * vendor's request: the row is in the inbox, and the reconciler enqueues it later.
 */
export function enqueueOrLeave(enqueue: (row: InboxJob) => Promise<unknown>, logger: Logger): (row: InboxJob) => Promise<void> {
  return async (row) => {
    await Promise.race([
      enqueue(row),
      new Promise((_resolve, reject) => setTimeout(() => reject(new Error('enqueue timed out')), ENQUEUE_TIMEOUT_MS).unref()),
    ]).catch((err: unknown) => logger.warn({ err, inboxId: row.id, queue: row.queue }, 'could not enqueue a stored webhook; the inbox reconciler will'));
  };
}
