import { randomUUID } from 'node:crypto';
import type { FieldhandCatalog, OutboxJob } from '@fieldhand/queues';
import { EVENT_CATALOG, type EventData, type EventType } from './catalog.js';

export type EventJob = Extract<OutboxJob<FieldhandCatalog>, { name: 'events.publish' }> & { tenantId: string };

/**
 * An event as an outbox job: the caller writes it (writeOutbox) in the transaction of the
 * fact it reports, so nothing is reported that did not happen and nothing that happened is
 * lost. `id` should come from the fact (`msg-received-<messageId>`) so a replayed fact
 * reports the same event; receivers deduplicate by it.
 */
export function eventJob<T extends EventType>(tenantId: string, type: T, data: EventData<T>, options: { id?: string; at?: Date } = {}): EventJob {
  const parsed = EVENT_CATALOG[type].data.parse(data) as Record<string, unknown>;
  const id = options.id ?? randomUUID();
  return {
    name: 'events.publish',
    jobId: `ev-${id}`,
    tenantId,
    data: { tenantId, id: `evt_${id}`, type, timestamp: (options.at ?? new Date()).toISOString(), data: parsed },
  };
}
