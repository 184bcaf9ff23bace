// Many qualifying estimates at once, for the workflow durability tests and bench/workflows.
import { sql } from 'drizzle-orm';
import type { Database } from '@fieldhand/db';
import type { FieldhandCatalog, JobBus, JobInput } from '@fieldhand/queues';

export type LoadEstimate = { estimateId: number; customerId: number; phone: string };

/** A follow-up of two texts `wait` apart, triggered by every Open estimate of $1,000 or more. */
export function twoTextFollowUp(key: string, wait: string) {
  return {
    key,
    name: `Two texts ${wait} apart`,
    trigger: { event: 'estimate.created', conditions: [{ field: 'estimateStatus', op: 'eq', value: 'Open' }, { field: 'estimateSubtotal', op: 'gte', value: 1000 }] },
    reentry: { policy: 'once' },
    stopWhen: [{ event: 'sms.opted_out', match: 'phone', reason: 'customer opted out' }],
    start: 'text-1',
    steps: [
      { id: 'text-1', type: 'send_sms', template: 'Hi {{firstName}}, about your {{estimateName}} estimate', next: 'wait-1' },
      { id: 'wait-1', type: 'wait', duration: wait, next: 'text-2' },
      { id: 'text-2', type: 'send_sms', template: 'Hi {{firstName}}, still thinking it over?', next: 'done' },
      { id: 'done', type: 'end' },
    ],
  } as const;
}

export const FIRST_TEXT = /about your/;

/**
 * `count` customers, each with its own mobile number (+1512 4xx xxxx from `firstPhone`)
 * and one Open $2,500 estimate, as a sync would have stored them. Ids start at `firstId`.
 */
export async function seedEstimates(db: Database, tenantId: string, count: number, firstId: number, firstPhone = 4_000_000): Promise<LoadEstimate[]> {
  const customers = firstId;
  const contacts = firstId + count;
  const estimates = firstId + 2 * count;
  const phone = sql`'+1512' || lpad((${firstPhone}::int + i)::text, 7, '0')`;
  await db.execute(
    sql`insert into st_customers (tenant_id, id, active, modified_on, raw, name)
        select ${tenantId}, ${customers}::bigint + i, true, now(), '{}'::jsonb, 'Pat Customer' || i from generate_series(0, ${count - 1}::int) i`,
  );
  await db.execute(
    sql`insert into st_customer_contacts (tenant_id, id, active, modified_on, raw, customer_id, type, value, phone)
        select ${tenantId}, ${contacts}::bigint + i, true, now(), '{}'::jsonb, ${customers}::bigint + i, 'MobilePhone', ${phone}, ${phone} from generate_series(0, ${count - 1}::int) i`,
  );
  await db.execute(
    sql`insert into st_estimates (tenant_id, id, active, modified_on, raw, customer_id, name, status, subtotal, tax, total)
        select ${tenantId}, ${estimates}::bigint + i, true, now(), '{}'::jsonb, ${customers}::bigint + i, 'Heat pump', 'Open', 2500, 0, 2500 from generate_series(0, ${count - 1}::int) i`,
  );
  return Array.from({ length: count }, (_, i) => ({
    estimateId: estimates + i,
    customerId: customers + i,
    phone: `+1512${String(firstPhone + i).padStart(7, '0')}`,
  }));
}

/** The event the sync emits for a new estimate (packages/sync/src/change-events.ts). */
export function estimateCreated(tenantId: string, e: LoadEstimate): JobInput<FieldhandCatalog, 'workflow.domain-event'> {
  return {
    tenantId,
    eventId: `${tenantId}-estimate.created-${e.estimateId}-1`,
    type: 'estimate.created',
    source: 'servicetitan',
    subject: { type: 'estimate', id: e.estimateId },
    refs: { customerId: e.customerId, jobId: null, locationId: null },
    old: null,
    new: { status: 'Open' },
    occurredAt: new Date().toISOString(),
  };
}

/** Emits the events as the sync does: under `evt-<eventId>`, so a repeat adds nothing. */
export async function emitEstimatesCreated(bus: JobBus<FieldhandCatalog>, tenantId: string, estimates: readonly LoadEstimate[]): Promise<void> {
  for (let i = 0; i < estimates.length; i += 500) {
    await Promise.all(
      estimates.slice(i, i + 500).map((e) => {
        const event = estimateCreated(tenantId, e);
        return bus.enqueue('workflow.domain-event', event, { jobId: `evt-${event.eventId}` });
      }),
    );
  }
}

export type SandboxText = { sid: string; to: string; from: string; body: string; direction: string; dateCreatedMs: number };

/** Every outbound text the sandbox's Twilio accepted from `from`. */
export async function textsAtSandbox(sandboxUrl: string, from: string): Promise<SandboxText[]> {
  const all = (await (await fetch(`${sandboxUrl}/_sandbox/twilio/messages`)).json()) as SandboxText[];
  return all.filter((m) => m.from === from && m.direction !== 'inbound');
}

/** Phones that did not get exactly one first and one second text. */
export function wrongTexts(estimates: readonly LoadEstimate[], texts: readonly SandboxText[]): Array<{ phone: string; first: number; second: number }> {
  const counts = new Map<string, { first: number; second: number }>();
  for (const m of texts) {
    const c = counts.get(m.to) ?? { first: 0, second: 0 };
    if (FIRST_TEXT.test(m.body)) c.first++;
    else c.second++;
    counts.set(m.to, c);
  }
  return estimates
    .map((e) => ({ phone: e.phone, ...(counts.get(e.phone) ?? { first: 0, second: 0 }) }))
    .filter((c) => c.first !== 1 || c.second !== 1);
}
