import type { JobData, FieldhandCatalog } from '@fieldhand/queues';
import type { GhlPushDeps } from './push-deps.js';

// IN PROGRESS (#15): being written now; not wired to any producer yet.
export async function pushEstimate(_deps: GhlPushDeps, data: JobData<FieldhandCatalog, 'ghl.push-estimate'>): Promise<never> {
  throw new Error(`ghl.push-estimate is not built yet (estimate ${data.estimateId})`);
}

export async function pushEstimates(_deps: GhlPushDeps, data: JobData<FieldhandCatalog, 'ghl.push-estimates'>): Promise<never> {
  throw new Error(`ghl.push-estimates is not built yet (tenant ${data.tenantId})`);
}
