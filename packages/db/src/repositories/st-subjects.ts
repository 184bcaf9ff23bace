import { and, desc, eq, isNotNull } from 'drizzle-orm';
import type { Executor } from '../executor.js';
import { stAppointments, stCustomerContacts, stCustomers, stEstimates, stJobs, stLocations } from '../schema/index.js';

// What a workflow reads about the synced ServiceTitan record it runs for.

export type StEstimateSubject = Pick<typeof stEstimates.$inferSelect, 'customerId' | 'locationId' | 'jobId' | 'name' | 'status' | 'subtotal' | 'total' | 'createdOn'>;
export type StJobSubject = Pick<typeof stJobs.$inferSelect, 'customerId' | 'locationId' | 'jobNumber' | 'jobStatus' | 'total' | 'completedOn'>;
export type StAppointmentSubject = Pick<typeof stAppointments.$inferSelect, 'customerId' | 'jobId' | 'appointmentNumber' | 'status' | 'startsAt' | 'endsAt'> & {
  /** The appointment's job's location: an appointment has none of its own. */
  locationId: number | null;
};

export async function findStEstimateSubject(db: Executor, tenantId: string, id: number): Promise<StEstimateSubject | undefined> {
  const e = stEstimates;
  const [row] = await db
    .select({ customerId: e.customerId, locationId: e.locationId, jobId: e.jobId, name: e.name, status: e.status, subtotal: e.subtotal, total: e.total, createdOn: e.createdOn })
    .from(e)
    .where(and(eq(e.tenantId, tenantId), eq(e.id, id)));
  return row;
}

export async function findStJobSubject(db: Executor, tenantId: string, id: number): Promise<StJobSubject | undefined> {
  const j = stJobs;
  const [row] = await db
    .select({ customerId: j.customerId, locationId: j.locationId, jobNumber: j.jobNumber, jobStatus: j.jobStatus, total: j.total, completedOn: j.completedOn })
    .from(j)
    .where(and(eq(j.tenantId, tenantId), eq(j.id, id)));
  return row;
}

export async function findStAppointmentSubject(db: Executor, tenantId: string, id: number): Promise<StAppointmentSubject | undefined> {
  const a = stAppointments;
  const [row] = await db
    .select({ customerId: a.customerId, jobId: a.jobId, appointmentNumber: a.appointmentNumber, status: a.status, startsAt: a.startsAt, endsAt: a.endsAt, locationId: stJobs.locationId })
    .from(a)
    .leftJoin(stJobs, and(eq(stJobs.tenantId, a.tenantId), eq(stJobs.id, a.jobId)))
    .where(and(eq(a.tenantId, tenantId), eq(a.id, id)));
  return row;
}

/** Who a text about a record goes to: the customer's name, the phone that may be texted, and the service location's state. */
export type StRecipient = { name: string | null; phone: string | null; locationState: string | null };

export async function findStRecipient(db: Executor, tenantId: string, customerId: number, locationId: number | null): Promise<StRecipient> {
  const [customer] = await db
    .select({ name: stCustomers.name })
    .from(stCustomers)
    .where(and(eq(stCustomers.tenantId, tenantId), eq(stCustomers.id, customerId)));
  const c = stCustomerContacts;
  // Mobile numbers first: a landline cannot receive the text.
  const [contact] = await db
    .select({ phone: c.phone })
    .from(c)
    .where(and(eq(c.tenantId, tenantId), eq(c.customerId, customerId), isNotNull(c.phone), eq(c.doNotText, false), eq(c.active, true)))
    .orderBy(desc(eq(c.type, 'MobilePhone')), c.id)
    .limit(1);
  const [location] =
    locationId === null
      ? []
      : await db
          .select({ state: stLocations.state })
          .from(stLocations)
          .where(and(eq(stLocations.tenantId, tenantId), eq(stLocations.id, locationId)));
  return { name: customer?.name ?? null, phone: contact?.phone ?? null, locationState: location?.state ?? null };
}
