import type { Database } from '@fieldhand/db';
import type { Logger } from '@fieldhand/observability';
import type { FieldhandCatalog, JobBus } from '@fieldhand/queues';
import type { DeliveryAgents } from './agents.js';
import type { EndpointSlots } from './endpoint-slots.js';

/** What delivering needs: the events role builds it once per process (WEBHOOK_* settings). */
export type DeliveryDeps = {
  db: Database;
  bus: JobBus<FieldhandCatalog>;
  logger: Logger;
  agents: DeliveryAgents;
  slots: EndpointSlots;
  settings: {
    timeoutMs: number;
    retryScale: number;
    disableAfterMs: number;
    requireHttps: boolean;
  };
};
