import type { FieldhandCatalog, Schedule } from '@fieldhand/queues';

/** Every recurring job of the deployment, upserted by the one scheduler-owner process. */
export const schedules: Schedule<FieldhandCatalog>[] = [
  { id: 'maintenance.reconcile-inbox', job: 'maintenance.reconcile-inbox', everyMs: 30_000, data: { tenantId: null } },
  // Restores workflow steps whose job Redis lost (restart without persistence, FLUSHALL, removed by hand).
  { id: 'maintenance.reconcile-workflows', job: 'maintenance.reconcile-workflows', everyMs: 15_000, data: { tenantId: null } },
  { id: 'maintenance.reconcile-sends', job: 'maintenance.reconcile-sends', everyMs: 30_000, data: { tenantId: null } },
  { id: 'maintenance.purge-dead-letters', job: 'maintenance.purge-dead-letters', everyMs: 3_600_000, data: { tenantId: null } },
  // One planner for every tenant: it starts each tenant+module pass when its interval
  // (SYNC_INTERVAL_SECONDS or sync_state.interval_seconds) has passed, so tenants need no schedulers of their own.
  { id: 'sync.plan', job: 'sync.plan', everyMs: 60_000, data: { tenantId: null } },
];
