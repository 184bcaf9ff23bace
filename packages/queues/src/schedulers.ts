import type { Catalog, JobInput, JobName } from './catalog.js';
import type { JobBus } from './job-bus.js';

export type Schedule<C extends Catalog> = {
  [N in JobName<C>]: { id: string; job: N; everyMs: number; data: JobInput<C, N> };
}[JobName<C>];

/** The recurring jobs the catalog declares (`everyMs` on an entry), one scheduler each. */
export function catalogSchedules<C extends Catalog>(catalog: C): Schedule<C>[] {
  return Object.entries(catalog)
    .filter(([, definition]) => definition.everyMs !== undefined)
    .map(([name, definition]) => ({ id: name, job: name, everyMs: definition.everyMs!, data: {} }) as Schedule<C>);
}

/**
 * Creates or updates the recurring jobs. Call from exactly one designated
 * process (the maintenance role with SCHEDULER_OWNER=true), not from every API
 * or worker instance.
 */
export async function upsertSchedules<C extends Catalog>(bus: JobBus<C>, schedules: readonly Schedule<C>[]): Promise<void> {
  for (const schedule of schedules) {
    const definition = bus.catalog[schedule.job]!;
    const data = definition.schema.parse(schedule.data);
    await bus
      .queue(definition.queue)
      .upsertJobScheduler(schedule.id, { every: schedule.everyMs }, {
        name: schedule.job,
        data: { ...data, correlationId: `scheduler:${schedule.id}` },
        // Each run its own trace: BullMQ would otherwise parent every run to the boot that upserted the scheduler.
        opts: { telemetry: { omitContext: true } },
      });
  }
}
