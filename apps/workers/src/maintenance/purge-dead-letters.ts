import { purgeDeadLetters, type Database } from '@fieldhand/db';
import type { Logger } from '@fieldhand/observability';
import type { Catalog, JobBus } from '@fieldhand/queues';

const BATCH = 1_000;

/** Removes dead letters past their retention from PostgreSQL and from the dead-letter queue. */
export async function purgeExpiredDeadLetters<C extends Catalog>(
  deps: { db: Database; bus: JobBus<C>; logger: Logger },
  retentionDays: number,
): Promise<number> {
  const cutoff = new Date(Date.now() - retentionDays * 24 * 3600 * 1000);
  let total = 0;
  for (;;) {
    const ids = await purgeDeadLetters(deps.db, cutoff, BATCH);
    for (const id of ids) await deps.bus.queue('dead-letter').remove(id);
    total += ids.length;
    if (ids.length < BATCH) break;
  }
  if (total > 0) deps.logger.info({ purged: total, retentionDays }, 'purged expired dead letters');
  return total;
}
