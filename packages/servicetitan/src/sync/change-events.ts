import type { NewOutboxRow } from '@fieldhand/db';
import { jobCatalog, type FieldhandCatalog, type JobInput } from '@fieldhand/queues';
import type { RowChange, StModule } from '../modules/index.js';
import { SOURCE } from './sync-deps.js';

export type DomainEvent = JobInput<FieldhandCatalog, 'workflow.domain-event'>;

/**
 * Events for the changes one page made. The id is derived from tenant, event, subject
 * and the record's modifiedOn, so the same change seen twice yields the same id.
 */
export function changeEvents(module: StModule, tenantId: string, changes: readonly RowChange[]): DomainEvent[] {
  if (!module.events) return [];
  const events: DomainEvent[] = [];
  for (const change of changes) {
    for (const event of module.events(change)) {
      events.push({
        tenantId,
        eventId: `${tenantId}-${event.type}-${event.subject.id}-${change.modifiedOn.getTime()}`,
        type: event.type,
        source: SOURCE,
        subject: event.subject,
        refs: event.refs,
        old: event.old,
        new: event.new,
        occurredAt: change.modifiedOn.toISOString(),
      });
    }
  }
  return events;
}

/** BullMQ ignores an add whose job id exists, so re-emitting after a crash adds nothing. */
/** Outbox rows for the events, written in the page's transaction and enqueued after it commits. */
export function eventOutboxRows(events: readonly DomainEvent[]): NewOutboxRow[] {
  return events.map((event) => ({
    tenantId: event.tenantId,
    queue: jobCatalog['workflow.domain-event'].queue,
    jobName: 'workflow.domain-event',
    jobId: `evt-${event.eventId}`,
    payload: jobCatalog['workflow.domain-event'].schema.parse(event),
  }));
}
