import type { FieldhandCatalog, OutboxJob } from '@fieldhand/queues';
import type { RowChange, SyncModule } from './sync-source.js';

/** A job a synced change leads to, for the outbox. */
export type EventJob = OutboxJob<FieldhandCatalog> & { tenantId: string };

/**
 * The jobs for the changes one page made: a workflow.domain-event for each event and
 * whatever the module's `followUps` add for it. The event id is derived from tenant, event,
 * subject and the record's modifiedOn, so the same change seen twice yields the same id,
 * and the job ids from it: BullMQ ignores an add whose job id exists, so re-emitting
 * after a crash adds nothing.
 */
export function changeEventJobs(source: string, module: SyncModule, tenantId: string, changes: readonly RowChange[]): EventJob[] {
  if (!module.events) return [];
  const jobs: EventJob[] = [];
  for (const change of changes) {
    for (const event of module.events(change)) {
      const eventId = `${tenantId}-${event.type}-${event.subject.id}-${change.modifiedOn.getTime()}`;
      jobs.push({
        name: 'workflow.domain-event',
        jobId: `evt-${eventId}`,
        tenantId,
        data: { tenantId, eventId, type: event.type, source, subject: event.subject, refs: event.refs, old: event.old, new: event.new, occurredAt: change.modifiedOn.toISOString() },
      });
      if (module.followUps) jobs.push(...module.followUps(tenantId, eventId, event));
    }
  }
  return jobs;
}

/**
 * A first pass emits no change events (a backfill of years of records is not news);
 * when one finishes, a module may still need to act on what it brought in: the
 * appointments module plans reminders for the upcoming visits.
 */
export function backfillJobs(module: SyncModule, tenantId: string, runId: string): EventJob[] {
  return module.afterBackfill?.(tenantId, runId) ?? [];
}
