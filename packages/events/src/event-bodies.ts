import { z } from 'zod';
import { EVENT_CATALOG, EVENT_TYPES, type EventType } from './catalog.js';

/** The body of one event type as an endpoint receives it (for the OpenAPI document). */
export function eventBodySchema<T extends EventType>(type: T) {
  return z.object({
    type: z.literal(type),
    id: z.string().describe('The event id, also sent as `webhook-id`: the same on every attempt, so receivers deduplicate by it'),
    timestamp: z.iso.datetime({ offset: true }).describe('When the fact happened'),
    tenantId: z.uuid(),
    data: EVENT_CATALOG[type].data,
  });
}

/** Every event type's body, each described from the catalog. */
export function eventBodySchemas(): Array<{ type: EventType; description: string; schema: ReturnType<typeof eventBodySchema> }> {
  return EVENT_TYPES.map((type) => ({ type, description: EVENT_CATALOG[type].description, schema: eventBodySchema(type) }));
}
