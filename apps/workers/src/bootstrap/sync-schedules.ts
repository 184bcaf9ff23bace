import type { Catalog, JobBus, Schedule } from '@fieldhand/queues';
import { QUEUE_NAMES } from '@fieldhand/queues';
import { upsertSchedules } from '@fieldhand/queues';

/** Upserts the declared schedulers and removes any left over from older releases. */
export async function syncSchedules<C extends Catalog>(bus: JobBus<C>, declared: readonly Schedule<C>[]): Promise<void> {
  await upsertSchedules(bus, declared);
  const wanted = new Set(declared.map((s) => s.id));
  for (const name of QUEUE_NAMES) {
    const queue = bus.queue(name);
    for (const scheduler of await queue.getJobSchedulers()) {
      if (scheduler.key && !wanted.has(scheduler.key)) await queue.removeJobScheduler(scheduler.key);
    }
  }
}

/**
 * Upserts the declared schedulers Redis no longer has. A FLUSHALL (or a Redis
 * restarted without persistence) wipes them without dropping our connection, so
 * the owner checks on a timer instead of waiting for a reconnect; without them
 * the reconcilers that rebuild the other lost jobs would never run again.
 */
export async function restoreMissingSchedules<C extends Catalog>(bus: JobBus<C>, declared: readonly Schedule<C>[]): Promise<string[]> {
  const missing: Schedule<C>[] = [];
  for (const schedule of declared) {
    if (!(await bus.queue(bus.catalog[schedule.job]!.queue).getJobScheduler(schedule.id))) missing.push(schedule);
  }
  if (missing.length > 0) await upsertSchedules(bus, missing);
  return missing.map((s) => s.id);
}
