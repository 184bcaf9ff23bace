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
