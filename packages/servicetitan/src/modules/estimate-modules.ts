import { stEstimates } from '@fieldhand/db';
import type { ChangeEvent, RowChange } from '@fieldhand/sync';
import type { StModuleSpec } from './st-module.js';
import { int, money, obj, str, time } from './values.js';

function estimateEvents(change: RowChange): ChangeEvent[] {
  const { old, new: now } = change;
  const base = {
    subject: { type: 'estimate', id: change.id },
    refs: { jobId: now.job_id as number | null, customerId: now.customer_id as number | null, locationId: now.location_id as number | null },
    new: { status: now.status, total: now.total },
  };
  if (!old) return [{ type: 'estimate.created', ...base, old: null }];
  if (old.status !== now.status) return [{ type: 'estimate.status_changed', ...base, old: { status: old.status, total: old.total } }];
  return [];
}

/** subtotal + tax, in cents to avoid float drift; ServiceTitan sends no total. */
function estimateTotal(subtotal: string | null, tax: string | null): string | null {
  if (subtotal === null) return null;
  const cents = Math.round(Number(subtotal) * 100) + Math.round(Number(tax ?? 0) * 100);
  return (cents / 100).toFixed(2);
}

export const estimateModules: StModuleSpec[] = [
  {
    name: 'estimates',
    apiModule: 'sales',
    resource: 'estimates',
    table: stEstimates,
    columns: (r) => {
      const status = obj(r.status);
      const subtotal = money(r.subtotal);
      const tax = money(r.tax);
      return {
        job_id: int(r.jobId),
        customer_id: int(r.customerId),
        location_id: int(r.locationId),
        business_unit_id: int(r.businessUnitId),
        name: str(r.name),
        status: str(status.name),
        status_value: int(status.value),
        subtotal,
        tax,
        total: estimateTotal(subtotal, tax),
        sold_on: time(r.soldOn),
        sold_by: int(r.soldBy),
      };
    },
    tracked: ['job_id', 'customer_id', 'location_id', 'status', 'total'],
    events: estimateEvents,
    // A new or re-statused estimate goes to the tenant's GHL estimate pipeline (the job
    // does nothing for a tenant without one); one job per change, so a later one is never
    // swallowed by an earlier job id.
    followUps: (tenantId, eventId, event) => [{ name: 'ghl.push-estimate', jobId: `ghlp-${eventId}`, tenantId, data: { tenantId, estimateId: Number(event.subject.id) } }],
    // The first pass emits no events: estimates it brought in are pushed together.
    afterBackfill: (tenantId, runId) => [{ name: 'ghl.push-estimates', jobId: `ghl-ests-backfill-${tenantId}-${runId}`, tenantId, data: { tenantId } }],
  },
];
