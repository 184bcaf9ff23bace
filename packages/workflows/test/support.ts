import { and, eq, like, sql } from 'drizzle-orm';
import { createTenant, messages, type Database } from '@fieldhand/db';
import { createLogger } from '@fieldhand/observability';
import { isLastAttempt, jobCatalog, JobBus, runWorkers, type FieldhandCatalog, type JobInput, type RunningWorkers } from '@fieldhand/queues';
import type { TestRedis } from '@fieldhand/queues/testing';
import { fromDomainEvent, fromSmsEvent, handleWorkflowEvent, runStep, type DefinitionInput, type WorkflowDeps } from '../src/index.js';

export const logger = createLogger({ name: 'workflows-test', level: 'silent' });

// A sender belongs to one tenant: each tenant made here texts from a number of its own.
let senderSeq = 0;

export async function createSmsTenant(db: Database, name = 'Acme HVAC'): Promise<string> {
  const from = `+1512000${String(senderSeq++).padStart(4, '0')}`;
  const tenant = await createTenant(db, { name, timezone: 'America/Chicago', twilio: { from } });
  return tenant.id;
}

let nextId = 1_000;
export const newId = () => ++nextId;

/** A ServiceTitan customer with one mobile phone (or none), as the sync would have stored it. */
export async function seedCustomer(db: Database, tenantId: string, options: { name?: string; phone?: string | null } = {}): Promise<number> {
  const id = newId();
  await db.execute(sql`insert into st_customers (tenant_id, id, active, modified_on, raw, name) values (${tenantId}, ${id}, true, now(), '{}'::jsonb, ${options.name ?? 'Dana Smith'})`);
  if (options.phone !== null) await addPhone(db, tenantId, id, options.phone ?? `+1512555${String(id).padStart(4, '0')}`);
  return id;
}

export async function addPhone(db: Database, tenantId: string, customerId: number, phone: string): Promise<void> {
  await db.execute(
    sql`insert into st_customer_contacts (tenant_id, id, active, modified_on, raw, customer_id, type, value, phone) values (${tenantId}, ${newId()}, true, now(), '{}'::jsonb, ${customerId}, 'MobilePhone', ${phone}, ${phone})`,
  );
}

export async function phoneOf(db: Database, tenantId: string, customerId: number): Promise<string> {
  const { rows } = await db.execute<{ phone: string }>(sql`select phone from st_customer_contacts where tenant_id = ${tenantId} and customer_id = ${customerId} limit 1`);
  return rows[0]!.phone;
}

export async function seedEstimate(db: Database, tenantId: string, customerId: number, options: { subtotal?: number; status?: string } = {}): Promise<number> {
  const id = newId();
  const subtotal = (options.subtotal ?? 2500).toFixed(2);
  await db.execute(
    sql`insert into st_estimates (tenant_id, id, active, modified_on, raw, customer_id, name, status, subtotal, tax, total)
        values (${tenantId}, ${id}, true, now(), '{}'::jsonb, ${customerId}, 'New AC', ${options.status ?? 'Open'}, ${subtotal}, '0.00', ${subtotal})`,
  );
  return id;
}

export async function setEstimateStatus(db: Database, tenantId: string, id: number, status: string): Promise<void> {
  await db.execute(sql`update st_estimates set status = ${status}, modified_on = now() where tenant_id = ${tenantId} and id = ${id}`);
}

type DomainEvent = JobInput<FieldhandCatalog, 'workflow.domain-event'>;

export function estimateEvent(tenantId: string, estimateId: number, customerId: number, type: 'estimate.created' | 'estimate.status_changed', status: string, suffix = ''): DomainEvent {
  return {
    tenantId,
    eventId: `${tenantId}-${type}-${estimateId}${suffix}`,
    type,
    source: 'servicetitan',
    subject: { type: 'estimate', id: estimateId },
    refs: { customerId, jobId: null, locationId: null },
    old: type === 'estimate.created' ? null : { status: 'Open' },
    new: { status },
    occurredAt: new Date().toISOString(),
  };
}

export async function emit(bus: JobBus<FieldhandCatalog>, event: DomainEvent): Promise<void> {
  await bus.enqueue('workflow.domain-event', event, { jobId: `evt-${event.eventId}` });
}

export async function emitSms(bus: JobBus<FieldhandCatalog>, tenantId: string, type: 'sms.replied' | 'sms.opted_out', phone: string): Promise<void> {
  const messageId = crypto.randomUUID();
  await bus.enqueue('workflow.sms-event', { tenantId, eventId: `sms:${messageId}`, type, phone, messageId, occurredAt: new Date().toISOString() }, { jobId: `sms-event-${messageId}` });
}

/** The workflow queue consumed exactly as the workflows role does. */
export function startWorkflowWorker(db: Database, redis: TestRedis): { bus: JobBus<FieldhandCatalog>; deps: WorkflowDeps; workers: RunningWorkers; close: () => Promise<void> } {
  const bus = new JobBus(jobCatalog, redis.connect('producer'), redis.prefix);
  const deps: WorkflowDeps = { db, bus, logger };
  const workers = runWorkers<FieldhandCatalog>({
    role: 'workflows-test',
    queues: ['workflow'],
    handlers: {
      'workflow.domain-event': (data) => handleWorkflowEvent(deps, fromDomainEvent(data)),
      'workflow.sms-event': (data) => handleWorkflowEvent(deps, fromSmsEvent(data)),
      'workflow.step': (data, ctx) => runStep(deps, data, { finalAttempt: isLastAttempt(ctx.job) }),
    },
    bus,
    db,
    connection: redis.connect('worker'),
    logger,
  });
  return { bus, deps, workers, close: async () => { await workers.close(5_000); await bus.close(); } };
}

export async function runTexts(db: Database, runId: string) {
  return db.select().from(messages).where(like(messages.idempotencyKey, `wf:${runId}:%`));
}

export async function textsTo(db: Database, tenantId: string, phone: string) {
  return db.select().from(messages).where(and(eq(messages.tenantId, tenantId), eq(messages.to, phone)));
}

export async function waitFor<T>(probe: () => Promise<T | undefined | null | false>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A follow-up like the shipped one, with seconds instead of days. */
export function quickFollowUp(key = 'quick-follow-up', wait = 'PT2S'): DefinitionInput {
  return {
    key,
    name: 'Quick follow-up',
    trigger: {
      event: 'estimate.created',
      conditions: [
        { field: 'estimateStatus', op: 'eq', value: 'Open' },
        { field: 'estimateSubtotal', op: 'gte', value: 1000 },
      ],
    },
    reentry: { policy: 'once', per: 'subject' },
    stopWhen: [
      { event: 'estimate.status_changed', match: 'subject', conditions: [{ field: 'estimateStatus', op: 'in', value: ['Sold', 'Dismissed'] }], reason: 'estimate sold or dismissed' },
      { event: 'sms.replied', match: 'phone', conditions: [], reason: 'customer replied' },
      { event: 'sms.opted_out', match: 'phone', conditions: [], reason: 'customer opted out' },
    ],
    start: 'text-1',
    steps: [
      { id: 'text-1', type: 'send_sms', template: 'Hi {{firstName}}, about your {{estimateName}} estimate from {{companyName}}', next: 'wait-1' },
      { id: 'wait-1', type: 'wait', duration: wait, next: 'text-2' },
      { id: 'text-2', type: 'send_sms', template: 'Hi {{firstName}}, still thinking it over?', next: 'done' },
      { id: 'done', type: 'end' },
    ],
  };
}
