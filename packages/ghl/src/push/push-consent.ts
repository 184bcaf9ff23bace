import type { JobData, FieldhandCatalog } from '@fieldhand/queues';
import type { GhlPushDeps } from './push-deps.js';

// IN PROGRESS (#15): being written now; not wired to any producer yet.
export async function pushConsent(_deps: GhlPushDeps, data: JobData<FieldhandCatalog, 'ghl.push-consent'>): Promise<never> {
  throw new Error(`ghl.push-consent is not built yet (${data.eventId})`);
}
