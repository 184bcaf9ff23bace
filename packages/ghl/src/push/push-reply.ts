import type { JobData, FieldhandCatalog } from '@fieldhand/queues';
import type { GhlPushDeps } from './push-deps.js';

// IN PROGRESS (#15): being written now; not wired to any producer yet.
export async function pushReply(_deps: GhlPushDeps, data: JobData<FieldhandCatalog, 'ghl.push-reply'>): Promise<never> {
  throw new Error(`ghl.push-reply is not built yet (message ${data.messageId})`);
}
