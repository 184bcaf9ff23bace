import type { FieldhandCatalog, JobInput } from '@fieldhand/queues';
import type { RowChange, SyncModule } from './sync-source.js';

type DomainEvent = JobInput<FieldhandCatalog, 'workflow.domain-event'>;

/** A workflow.domain-event job for the outbox. */
export type EventJob = { name: 'workflow.domain-event'; data: DomainEvent; jobId: string; tenantId: string };

/**
 * The event jobs for the changes one page made. The event id is derived from tenant,
 * event, subject and the record's modifiedOn, so the same change seen twice yields the
 * same id, and the job id from it: BullMQ ignores an add whose job id exists, so
 * re-emitting after a crash adds nothing.
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
    }
  }
  return jobs;
}
