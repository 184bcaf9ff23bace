import { and, asc, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import type { Executor, Transaction } from '../executor.js';
import { officeAlerts } from '../schema/index.js';

export type OfficeAlertRow = typeof officeAlerts.$inferSelect;
export type NewOfficeAlert = { tenantId: string; eventId: string; eventType: string; officePhone: string; body: string };

// One office number's alerts are decided one at a time, across every worker.
const lockNumber = (tx: Transaction, tenantId: string, phone: string) => tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`office-alert:${tenantId}:${phone}`}, 0))`);

/**
 * Records an alert once per (event, office number) and decides, under that number's lock,
 * whether it gets a text of its own: it does (`sent`) while fewer than `perMinute` alerts
 * went to the number in the minute before `now`; else it stays `pending` for the summary.
 * A repeat (a retried job) changes nothing and returns the row as it is.
 */
export async function claimOfficeAlert(db: Database, alert: NewOfficeAlert, perMinute: number, now: Date): Promise<OfficeAlertRow> {
  return db.transaction(async (tx) => {
    await lockNumber(tx, alert.tenantId, alert.officePhone);
    const [created] = await tx.insert(officeAlerts).values({ ...alert, createdAt: now }).onConflictDoNothing().returning();
    if (!created) {
      const [existing] = await tx
        .select()
        .from(officeAlerts)
        .where(and(eq(officeAlerts.tenantId, alert.tenantId), eq(officeAlerts.eventId, alert.eventId), eq(officeAlerts.officePhone, alert.officePhone)));
      return existing!;
    }
    const since = new Date(now.getTime() - 60_000).toISOString();
    const { rows } = await tx.execute<{ n: number }>(sql`
      select count(*)::int as n from ${officeAlerts}
      where tenant_id = ${alert.tenantId} and office_phone = ${alert.officePhone} and status = 'sent' and sent_at > ${since}`);
    if (rows[0]!.n >= perMinute) return created;
    const [sent] = await tx.update(officeAlerts).set({ status: 'sent', sentAt: now }).where(eq(officeAlerts.id, created.id)).returning();
    return sent!;
  });
}

/**
 * The alerts of one office number that go into its next summary, marked `folded` under the
 * number's lock with one summary key (the first alert's id). A summary that was fixed but
 * whose text was never attached (a crash, a retry) is returned again, whole, before any new one.
 */
export async function foldPendingAlerts(db: Database, tenantId: string, officePhone: string): Promise<OfficeAlertRow[]> {
  return db.transaction(async (tx) => {
    await lockNumber(tx, tenantId, officePhone);
    const ofNumber = and(eq(officeAlerts.tenantId, tenantId), eq(officeAlerts.officePhone, officePhone));
    const unsent = await tx
      .select()
      .from(officeAlerts)
      .where(and(ofNumber, eq(officeAlerts.status, 'folded'), isNull(officeAlerts.messageId)))
      .orderBy(asc(officeAlerts.createdAt), asc(officeAlerts.id));
    if (unsent.length > 0) {
      const key = unsent[0]!.summaryKey;
      return unsent.filter((a) => a.summaryKey === key);
    }
    const pending = await tx.select({ id: officeAlerts.id }).from(officeAlerts).where(and(ofNumber, eq(officeAlerts.status, 'pending'))).orderBy(asc(officeAlerts.createdAt), asc(officeAlerts.id));
    if (pending.length === 0) return [];
    const summaryKey = `alert-summary:${pending[0]!.id}`;
    return tx
      .update(officeAlerts)
      .set({ status: 'folded', summaryKey })
      .where(inArray(officeAlerts.id, pending.map((p) => p.id)))
      .returning()
      .then((rows) => rows.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id)));
  });
}

/** The ledger row that carried these alerts (their own text, or their summary). */
export async function attachAlertMessage(db: Executor, tenantId: string, ids: string[], messageId: string): Promise<void> {
  if (ids.length === 0) return;
  await db.update(officeAlerts).set({ messageId, sentAt: sql`coalesce(${officeAlerts.sentAt}, now())` }).where(and(eq(officeAlerts.tenantId, tenantId), inArray(officeAlerts.id, ids)));
}

/** Whether an office number has alerts waiting for a summary (pending, or folded without a text). */
export async function hasUnsentAlerts(db: Executor, tenantId: string, officePhone: string): Promise<boolean> {
  const [row] = await db
    .select({ id: officeAlerts.id })
    .from(officeAlerts)
    .where(and(eq(officeAlerts.tenantId, tenantId), eq(officeAlerts.officePhone, officePhone), isNull(officeAlerts.messageId), sql`${officeAlerts.status} in ('pending', 'folded')`))
    .limit(1);
  return row !== undefined;
}

/**
 * Office numbers whose alerts have waited for a text longer than they should (older than
 * `before`): a summary job lost with Redis, or a crash between the claim and the text.
 */
export async function findStrandedAlertNumbers(db: Executor, before: Date, limit: number): Promise<Array<{ tenantId: string; officePhone: string }>> {
  return db
    .select({ tenantId: officeAlerts.tenantId, officePhone: officeAlerts.officePhone })
    .from(officeAlerts)
    .where(and(isNull(officeAlerts.messageId), lt(officeAlerts.createdAt, before)))
    .groupBy(officeAlerts.tenantId, officeAlerts.officePhone)
    .limit(limit);
}

/** Alerts claimed as `sent` whose text was never written (the claim committed, the process died). */
export async function findSentAlertsWithoutText(db: Executor, tenantId: string, officePhone: string): Promise<OfficeAlertRow[]> {
  return db
    .select()
    .from(officeAlerts)
    .where(and(eq(officeAlerts.tenantId, tenantId), eq(officeAlerts.officePhone, officePhone), eq(officeAlerts.status, 'sent'), isNull(officeAlerts.messageId)));
}

/** A tenant's alerts, newest first (tests and the operator's look). */
export async function listOfficeAlerts(db: Executor, tenantId: string): Promise<OfficeAlertRow[]> {
  return db.select().from(officeAlerts).where(eq(officeAlerts.tenantId, tenantId)).orderBy(sql`${officeAlerts.createdAt} desc`);
}
