import { and, asc, desc, eq, getTableColumns, gt, inArray, isNull, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../executor.js';
import { afterCursor, cursorTimestamp, decodeCursor, toPage, type Page } from '../pagination.js';
import {
  communicationPreferences,
  reminderSettings,
  reminders,
  stAppointmentAssignments,
  stAppointments,
  stCustomerContacts,
  stCustomers,
  stJobs,
  stLocationContacts,
  stLocations,
  type ReminderStatus,
  type StoredReminderSettings,
} from '../schema/index.js';

export type ReminderRow = typeof reminders.$inferSelect;

/** The SMS ledger key of a reminder's text: one text per appointment, offset and start, whoever sends it how often. */
export const reminderTextKey = (r: Pick<ReminderRow, 'appointmentId' | 'offsetMinutes' | 'appointmentStart'>): string =>
  `reminder:${r.appointmentId}:${r.offsetMinutes}:${r.appointmentStart.toISOString()}`;

export async function findReminderSettings(db: Executor, tenantId: string): Promise<StoredReminderSettings | undefined> {
  const [row] = await db.select({ settings: reminderSettings.settings }).from(reminderSettings).where(eq(reminderSettings.tenantId, tenantId));
  return row?.settings;
}

export async function saveReminderSettings(db: Executor, tenantId: string, settings: StoredReminderSettings): Promise<void> {
  const values = { settings, updatedAt: new Date() };
  await db.insert(reminderSettings).values({ tenantId, ...values }).onConflictDoUpdate({ target: reminderSettings.tenantId, set: values });
}

/** What planning a reminder reads about an appointment: its times, status and its job's. */
export type ReminderAppointment = {
  id: number;
  status: string | null;
  startsAt: Date | null;
  endsAt: Date | null;
  arrivalWindowStart: Date | null;
  arrivalWindowEnd: Date | null;
  customerId: number | null;
  active: boolean;
  jobId: number | null;
  jobStatus: string | null;
  locationId: number | null;
  businessUnitId: number | null;
  jobTypeId: number | null;
};

export async function findReminderAppointment(db: Executor, tenantId: string, appointmentId: number): Promise<ReminderAppointment | undefined> {
  const a = stAppointments;
  const [row] = await db
    .select({
      id: a.id,
      status: a.status,
      startsAt: a.startsAt,
      endsAt: a.endsAt,
      arrivalWindowStart: a.arrivalWindowStart,
      arrivalWindowEnd: a.arrivalWindowEnd,
      customerId: a.customerId,
      active: a.active,
      jobId: a.jobId,
      jobStatus: stJobs.jobStatus,
      locationId: stJobs.locationId,
      businessUnitId: stJobs.businessUnitId,
      jobTypeId: stJobs.jobTypeId,
    })
    .from(a)
    .leftJoin(stJobs, and(eq(stJobs.tenantId, a.tenantId), eq(stJobs.id, a.jobId)))
    .where(and(eq(a.tenantId, tenantId), eq(a.id, appointmentId)));
  return row;
}

/** The ids of a job's appointments (a job canceled in ServiceTitan re-plans each). */
export async function findJobAppointmentIds(db: Executor, tenantId: string, jobId: number): Promise<number[]> {
  const rows = await db.select({ id: stAppointments.id }).from(stAppointments).where(and(eq(stAppointments.tenantId, tenantId), eq(stAppointments.jobId, jobId)));
  return rows.map((r) => r.id);
}

/** Appointments starting after `from`, in id order from `afterId`: a settings change re-plans them. */
export async function findUpcomingAppointmentIds(db: Executor, tenantId: string, from: Date, afterId: number, limit: number): Promise<number[]> {
  const a = stAppointments;
  const rows = await db
    .select({ id: a.id })
    .from(a)
    .where(and(eq(a.tenantId, tenantId), gt(a.startsAt, from), gt(a.id, afterId)))
    .orderBy(asc(a.id))
    .limit(limit);
  return rows.map((r) => r.id);
}

/**
 * Mobile numbers a reminder may go to, best first: the service location's contacts,
 * then the customer's. Numbers marked "do not text" in ServiceTitan are left out; consent
 * is the caller's to check.
 */
export async function findReminderCandidates(db: Executor, tenantId: string, customerId: number | null, locationId: number | null): Promise<string[]> {
  const phones: string[] = [];
  if (locationId !== null) {
    const l = stLocationContacts;
    const rows = await db
      .select({ phone: l.phone })
      .from(l)
      .where(and(eq(l.tenantId, tenantId), eq(l.locationId, locationId), eq(l.type, 'MobilePhone'), eq(l.doNotText, false), eq(l.active, true), sql`${l.phone} is not null`))
      .orderBy(asc(l.id));
    phones.push(...rows.map((r) => r.phone!));
  }
  if (customerId !== null) {
    const c = stCustomerContacts;
    const rows = await db
      .select({ phone: c.phone })
      .from(c)
      .where(and(eq(c.tenantId, tenantId), eq(c.customerId, customerId), eq(c.type, 'MobilePhone'), eq(c.doNotText, false), eq(c.active, true), sql`${c.phone} is not null`))
      .orderBy(asc(c.id));
    phones.push(...rows.map((r) => r.phone!));
  }
  return [...new Set(phones)];
}

/** What a reminder's text names: the customer, the service location's state, the technician on the visit. */
export type ReminderContext = { customerName: string | null; locationState: string | null; technicianName: string | null };

export async function findReminderContext(db: Executor, tenantId: string, appointment: Pick<ReminderAppointment, 'id' | 'customerId' | 'locationId'>): Promise<ReminderContext> {
  const [customer] =
    appointment.customerId === null ? [] : await db.select({ name: stCustomers.name }).from(stCustomers).where(and(eq(stCustomers.tenantId, tenantId), eq(stCustomers.id, appointment.customerId)));
  const [location] =
    appointment.locationId === null ? [] : await db.select({ state: stLocations.state }).from(stLocations).where(and(eq(stLocations.tenantId, tenantId), eq(stLocations.id, appointment.locationId)));
  const t = stAppointmentAssignments;
  const [assignment] = await db
    .select({ name: t.technicianName })
    .from(t)
    .where(and(eq(t.tenantId, tenantId), eq(t.appointmentId, appointment.id), eq(t.active, true)))
    .orderBy(asc(t.id))
    .limit(1);
  return { customerName: customer?.name ?? null, locationState: location?.state ?? null, technicianName: assignment?.name ?? null };
}

/** Everything a reminder's fire reads, from one statement: it runs for each of a burst of thousands. */
export type ReminderFire = {
  reminder: ReminderRow;
  settings: StoredReminderSettings | null;
  appointment: ReminderAppointment | undefined;
  context: ReminderContext;
  /** As findReminderCandidates orders them (location contacts, then the customer's; no do-not-text). */
  candidates: string[];
  /** The candidates opted out with us. */
  optedOut: string[];
};

/**
 * The reminder with its tenant's settings, its appointment (and job), the names its text
 * carries and who may get it — the reads of findReminder, findReminderSettings,
 * findReminderAppointment, findReminderContext, findReminderCandidates and findConsent in
 * one round trip.
 */
export async function findReminderFire(db: Executor, tenantId: string, reminderId: string): Promise<ReminderFire | undefined> {
  const a = stAppointments;
  const j = stJobs;
  const r = reminders;
  const l = stLocationContacts;
  const c = stCustomerContacts;
  const candidateRows = sql`select ${l.phone} as phone, 0 as rank, ${l.id} as id from ${l}
      where ${l.tenantId} = ${tenantId} and ${l.locationId} = ${j.locationId} and ${l.type} = 'MobilePhone' and ${l.doNotText} = false and ${l.active} and ${l.phone} is not null
    union all
    select ${c.phone}, 1, ${c.id} from ${c}
      where ${c.tenantId} = ${tenantId} and ${c.customerId} = ${a.customerId} and ${c.type} = 'MobilePhone' and ${c.doNotText} = false and ${c.active} and ${c.phone} is not null`;
  const [row] = await db
    .select({
      reminder: getTableColumns(r),
      settings: sql<StoredReminderSettings | null>`(select ${reminderSettings.settings} from ${reminderSettings} where ${reminderSettings.tenantId} = ${tenantId})`,
      appointmentId: a.id,
      status: a.status,
      startsAt: a.startsAt,
      endsAt: a.endsAt,
      arrivalWindowStart: a.arrivalWindowStart,
      arrivalWindowEnd: a.arrivalWindowEnd,
      customerId: a.customerId,
      active: a.active,
      jobId: a.jobId,
      jobStatus: j.jobStatus,
      locationId: j.locationId,
      businessUnitId: j.businessUnitId,
      jobTypeId: j.jobTypeId,
      customerName: sql<string | null>`(select ${stCustomers.name} from ${stCustomers} where ${stCustomers.tenantId} = ${tenantId} and ${stCustomers.id} = ${a.customerId})`,
      locationState: sql<string | null>`(select ${stLocations.state} from ${stLocations} where ${stLocations.tenantId} = ${tenantId} and ${stLocations.id} = ${j.locationId})`,
      technicianName: sql<string | null>`(select ${stAppointmentAssignments.technicianName} from ${stAppointmentAssignments}
        where ${stAppointmentAssignments.tenantId} = ${tenantId} and ${stAppointmentAssignments.appointmentId} = ${a.id} and ${stAppointmentAssignments.active} order by ${stAppointmentAssignments.id} limit 1)`,
      candidates: sql<string[]>`array(select phone from (${candidateRows}) as candidates order by rank, id)`,
      optedOut: sql<string[]>`array(select ${communicationPreferences.phone} from ${communicationPreferences}
        where ${communicationPreferences.tenantId} = ${tenantId} and ${communicationPreferences.smsOptOut} and ${communicationPreferences.phone} in (select phone from (${candidateRows}) as candidates))`,
    })
    .from(r)
    .leftJoin(a, and(eq(a.tenantId, r.tenantId), eq(a.id, r.appointmentId)))
    .leftJoin(j, and(eq(j.tenantId, a.tenantId), eq(j.id, a.jobId)))
    .where(and(eq(r.tenantId, tenantId), eq(r.id, reminderId)));
  if (!row) return undefined;
  const appointment: ReminderAppointment | undefined =
    row.appointmentId === null
      ? undefined
      : {
          id: row.appointmentId,
          status: row.status,
          startsAt: row.startsAt,
          endsAt: row.endsAt,
          arrivalWindowStart: row.arrivalWindowStart,
          arrivalWindowEnd: row.arrivalWindowEnd,
          customerId: row.customerId,
          active: row.active ?? false,
          jobId: row.jobId,
          jobStatus: row.jobStatus,
          locationId: row.locationId,
          businessUnitId: row.businessUnitId,
          jobTypeId: row.jobTypeId,
        };
  // Unique, in order: a number on both the location and the customer is one candidate.
  const candidates = [...new Set(row.candidates)];
  return {
    reminder: row.reminder,
    settings: row.settings,
    appointment,
    context: { customerName: row.customerName, locationState: row.locationState, technicianName: row.technicianName },
    candidates,
    optedOut: row.optedOut,
  };
}

export async function listAppointmentReminders(db: Executor, tenantId: string, appointmentId: number): Promise<ReminderRow[]> {
  return db.select().from(reminders).where(and(eq(reminders.tenantId, tenantId), eq(reminders.appointmentId, appointmentId))).orderBy(asc(reminders.appointmentStart), desc(reminders.offsetMinutes));
}

export type NewReminder = Pick<ReminderRow, 'tenantId' | 'appointmentId' | 'offsetMinutes' | 'appointmentStart' | 'dueAt' | 'status' | 'reason' | 'phone'>;

/**
 * Inserts planned reminders; one already there keeps its row, unless it was cancelled
 * (an appointment brought back to the same time): that one is planned again. Returns
 * the rows inserted or revived.
 */
export async function upsertReminders(db: Executor, rows: readonly NewReminder[]): Promise<ReminderRow[]> {
  if (rows.length === 0) return [];
  return db
    .insert(reminders)
    .values([...rows])
    .onConflictDoUpdate({
      target: [reminders.tenantId, reminders.appointmentId, reminders.offsetMinutes, reminders.appointmentStart],
      set: { status: sql`excluded.status`, reason: sql`excluded.reason`, dueAt: sql`excluded.due_at`, phone: sql`excluded.phone`, updatedAt: new Date() },
      setWhere: sql`${reminders.status} = 'cancelled' and ${reminders.messageId} is null`,
    })
    .returning();
}

/** Ends reminders still to be sent; only rows in `from` move. Returns the rows that did. */
export async function settleReminders(db: Executor, tenantId: string, ids: readonly string[], change: { status: ReminderStatus; reason: string }, from: ReminderStatus[] = ['scheduled']): Promise<ReminderRow[]> {
  if (ids.length === 0) return [];
  return db
    .update(reminders)
    .set({ status: change.status, reason: change.reason, updatedAt: new Date() })
    .where(and(eq(reminders.tenantId, tenantId), inArray(reminders.id, [...ids]), inArray(reminders.status, from)))
    .returning();
}

export async function findReminder(db: Executor, tenantId: string, id: string): Promise<ReminderRow | undefined> {
  const [row] = await db.select().from(reminders).where(and(eq(reminders.tenantId, tenantId), eq(reminders.id, id)));
  return row;
}

/** Moves a scheduled reminder to a later send time (the recipient's window opens later). */
export async function deferReminder(db: Executor, id: string, dueAt: Date): Promise<ReminderRow | undefined> {
  const [row] = await db.update(reminders).set({ dueAt, updatedAt: new Date() }).where(and(eq(reminders.id, id), eq(reminders.status, 'scheduled'))).returning();
  return row;
}

/** scheduled → sent with the ledger row that carries it; undefined when something else settled it first. */
export async function markReminderSent(db: Executor, id: string, messageId: string, phone: string): Promise<ReminderRow | undefined> {
  const [row] = await db
    .update(reminders)
    .set({ status: 'sent', messageId, phone, reason: null, updatedAt: new Date() })
    .where(and(eq(reminders.id, id), eq(reminders.status, 'scheduled')))
    .returning();
  return row;
}

/** The sent reminder a reply from `phone` answers: the soonest appointment still ahead. */
export async function findAnsweredReminder(db: Executor, tenantId: string, phone: string, now: Date): Promise<ReminderRow | undefined> {
  const [row] = await db
    .select()
    .from(reminders)
    .where(and(eq(reminders.tenantId, tenantId), eq(reminders.phone, phone), eq(reminders.status, 'sent'), gt(reminders.appointmentStart, now)))
    .orderBy(asc(reminders.appointmentStart), asc(reminders.offsetMinutes))
    .limit(1);
  return row;
}

/**
 * Records a confirmation (or a reschedule request) on every sent reminder of that
 * appointment and start; returns them only if none had it yet, so a second reply does nothing.
 */
export async function markAppointmentAnswered(db: Executor, reminder: Pick<ReminderRow, 'tenantId' | 'appointmentId' | 'appointmentStart'>, answer: 'confirmed' | 'reschedule', at: Date): Promise<ReminderRow[]> {
  const column = answer === 'confirmed' ? reminders.confirmedAt : reminders.rescheduleRequestedAt;
  const same = and(eq(reminders.tenantId, reminder.tenantId), eq(reminders.appointmentId, reminder.appointmentId), eq(reminders.appointmentStart, reminder.appointmentStart));
  const [already] = await db.select({ id: reminders.id }).from(reminders).where(and(same, sql`${column} is not null`)).limit(1);
  if (already) return [];
  return db
    .update(reminders)
    .set(answer === 'confirmed' ? { confirmedAt: at, updatedAt: at } : { rescheduleRequestedAt: at, updatedAt: at })
    .where(and(same, eq(reminders.status, 'sent'), isNull(column)))
    .returning();
}

/** Scheduled reminders due by `dueBy` (the reconciler makes sure each has its job). */
export async function findScheduledReminders(db: Executor, dueBy: Date, limit: number, after?: { dueAt: Date; id: string }): Promise<Array<Pick<ReminderRow, 'id' | 'tenantId' | 'dueAt'>>> {
  const r = reminders;
  const conditions: SQL[] = [eq(r.status, 'scheduled'), lte(r.dueAt, dueBy)];
  if (after) conditions.push(or(gt(r.dueAt, after.dueAt), and(eq(r.dueAt, after.dueAt), gt(r.id, after.id)))!);
  return db.select({ id: r.id, tenantId: r.tenantId, dueAt: r.dueAt }).from(r).where(and(...conditions)).orderBy(asc(r.dueAt), asc(r.id)).limit(limit);
}

export type ReminderFilter = { tenantId: string; appointmentId?: number; status?: ReminderStatus; limit: number; cursor?: string };

export async function listReminders(db: Executor, filter: ReminderFilter): Promise<Page<ReminderRow>> {
  const conditions: SQL[] = [eq(reminders.tenantId, filter.tenantId)];
  if (filter.appointmentId !== undefined) conditions.push(eq(reminders.appointmentId, filter.appointmentId));
  if (filter.status) conditions.push(eq(reminders.status, filter.status));
  const after = filter.cursor ? decodeCursor(filter.cursor) : undefined;
  if (after) conditions.push(afterCursor(reminders.createdAt, reminders.id, after));
  const rows = await db
    .select({ ...getTableColumns(reminders), cursorAt: cursorTimestamp(reminders.createdAt) })
    .from(reminders)
    .where(and(...conditions))
    .orderBy(desc(reminders.createdAt), desc(reminders.id))
    .limit(filter.limit + 1);
  return toPage<ReminderRow>(rows, filter.limit);
}
