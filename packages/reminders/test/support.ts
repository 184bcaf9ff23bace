import { and, eq, sql } from 'drizzle-orm';
import { createTenant, messages, reminders, saveReminderSettings, type Database } from '@fieldhand/db';
import { createLogger } from '@fieldhand/observability';
import type { ClientFactory } from '@fieldhand/servicetitan';
import type { FieldhandCatalog, JobBus } from '@fieldhand/queues';
import type { ReminderDeps } from '../src/index.js';

export const logger = createLogger({ name: 'reminders-test', level: 'silent' });

let senderSeq = 0;
let nextId = 50_000;
export const newId = () => ++nextId;

export async function createReminderTenant(db: Database, settings: Record<string, unknown> = { enabled: true }): Promise<string> {
  const from = `+1512300${String(senderSeq++).padStart(4, '0')}`;
  const tenant = await createTenant(db, { name: 'Acme HVAC', timezone: 'America/Chicago', twilio: { from } });
  await saveReminderSettings(db, tenant.id, settings);
  return tenant.id;
}

export type SeededVisit = { customerId: number; locationId: number; jobId: number; appointmentId: number; customerPhone: string; locationPhone: string | null };

const row = (tenantId: string, id: number) => sql`${tenantId}, ${id}, true, now(), '{}'::jsonb`;

/** A customer, a service location in Texas, a job and one appointment, as the sync would store them. */
export async function seedVisit(
  db: Database,
  tenantId: string,
  options: { start: Date; minutes?: number; locationPhone?: string | null; customerPhone?: string; businessUnitId?: number; technician?: string | null; name?: string; appointmentId?: number },
): Promise<SeededVisit> {
  const customerId = newId();
  const locationId = newId();
  const jobId = newId();
  const appointmentId = options.appointmentId ?? newId();
  const customerPhone = options.customerPhone ?? `+1512555${String(customerId % 10_000).padStart(4, '0')}`;
  await db.execute(sql`insert into st_customers (tenant_id, id, active, modified_on, raw, name) values (${row(tenantId, customerId)}, ${options.name ?? 'Dana Smith'})`);
  await db.execute(sql`insert into st_customer_contacts (tenant_id, id, active, modified_on, raw, customer_id, type, value, phone) values (${row(tenantId, newId())}, ${customerId}, 'MobilePhone', ${customerPhone}, ${customerPhone})`);
  await db.execute(sql`insert into st_locations (tenant_id, id, active, modified_on, raw, customer_id, state) values (${row(tenantId, locationId)}, ${customerId}, 'TX')`);
  const locationPhone = options.locationPhone === undefined ? null : options.locationPhone;
  if (locationPhone) {
    await db.execute(sql`insert into st_location_contacts (tenant_id, id, active, modified_on, raw, location_id, type, value, phone) values (${row(tenantId, newId())}, ${locationId}, 'MobilePhone', ${locationPhone}, ${locationPhone})`);
  }
  await db.execute(sql`insert into st_jobs (tenant_id, id, active, modified_on, raw, customer_id, location_id, business_unit_id, job_type_id, job_status)
    values (${row(tenantId, jobId)}, ${customerId}, ${locationId}, ${options.businessUnitId ?? 7}, 3, 'Scheduled')`);
  const end = new Date(options.start.getTime() + (options.minutes ?? 120) * 60_000);
  await db.execute(sql`insert into st_appointments (tenant_id, id, active, modified_on, raw, job_id, customer_id, status, starts_at, ends_at, arrival_window_start, arrival_window_end)
    values (${row(tenantId, appointmentId)}, ${jobId}, ${customerId}, 'Scheduled', ${options.start}, ${end}, ${options.start}, ${end})`);
  if (options.technician !== null) {
    await db.execute(sql`insert into st_appointment_assignments (tenant_id, id, active, modified_on, raw, appointment_id, job_id, technician_id, technician_name)
      values (${row(tenantId, newId())}, ${appointmentId}, ${jobId}, 1, ${options.technician ?? 'Sam Rivera'})`);
  }
  return { customerId, locationId, jobId, appointmentId, customerPhone, locationPhone };
}

export async function moveAppointment(db: Database, tenantId: string, appointmentId: number, start: Date): Promise<void> {
  const end = new Date(start.getTime() + 2 * 3_600_000);
  await db.execute(sql`update st_appointments set starts_at = ${start}, ends_at = ${end}, arrival_window_start = ${start}, arrival_window_end = ${end}, modified_on = now() where tenant_id = ${tenantId} and id = ${appointmentId}`);
}

export async function setAppointmentStatus(db: Database, tenantId: string, appointmentId: number, status: string): Promise<void> {
  await db.execute(sql`update st_appointments set status = ${status}, modified_on = now() where tenant_id = ${tenantId} and id = ${appointmentId}`);
}

export async function setJobStatus(db: Database, tenantId: string, jobId: number, status: string): Promise<void> {
  await db.execute(sql`update st_jobs set job_status = ${status}, modified_on = now() where tenant_id = ${tenantId} and id = ${jobId}`);
}

export async function remindersOf(db: Database, tenantId: string, appointmentId: number) {
  return db.select().from(reminders).where(and(eq(reminders.tenantId, tenantId), eq(reminders.appointmentId, appointmentId))).orderBy(reminders.appointmentStart, reminders.offsetMinutes);
}

export async function reminderTexts(db: Database, tenantId: string, appointmentId: number) {
  return db.select().from(messages).where(and(eq(messages.tenantId, tenantId), sql`${messages.idempotencyKey} like ${`reminder:${appointmentId}:%`}`));
}

export async function textsWithKey(db: Database, tenantId: string, keyPrefix: string) {
  return db.select().from(messages).where(and(eq(messages.tenantId, tenantId), sql`${messages.idempotencyKey} like ${`${keyPrefix}%`}`));
}

/** A controllable clock. */
export function testClock(start: Date): { now: () => Date; set: (d: Date) => void; advance: (ms: number) => void } {
  let current = start;
  return { now: () => current, set: (d) => (current = d), advance: (ms) => (current = new Date(current.getTime() + ms)) };
}

export function reminderTestDeps(db: Database, bus: JobBus<FieldhandCatalog>, clock: () => Date, serviceTitan?: ClientFactory): ReminderDeps {
  return { db, bus, logger, clock, serviceTitan: serviceTitan ?? (() => Promise.reject(new Error('no ServiceTitan in this test'))) };
}
