import { sql } from 'drizzle-orm';
import type { Executor } from '../executor.js';
import { communicationPreferences, messages, reminders, stEstimates, workflowInstances } from '../schema/index.js';

/** A tenant's period, [from, to). */
export type ReportPeriod = { tenantId: string; from: Date; to: Date };

export type TextCounts = { created: number; sent: number; delivered: number; failed: number; held: number; canceled: number; segments: number };
export type ReminderCounts = { sent: number; confirmed: number; rescheduleRequested: number };
export type RunCounts = { started: number; active: number; completed: number; cancelled: number; failed: number };
export type FollowUpSales = { estimates: number; total: string };

const range = (column: unknown, p: ReportPeriod) => sql`${column} >= ${p.from.toISOString()} and ${column} < ${p.to.toISOString()}`;
const int = (v: unknown) => Number(v ?? 0);

/**
 * Outbound texts created in the period: how many reached Twilio (have a SID), were
 * delivered, failed or undelivered, were held as `unknown` or canceled (opted out, past
 * their deadline), and the segments sent (what Twilio bills).
 */
export async function countTexts(db: Executor, p: ReportPeriod): Promise<TextCounts> {
  const { rows } = await db.execute<Record<keyof TextCounts, number>>(sql`
    select count(*)::int as created,
      count(*) filter (where twilio_sid is not null)::int as sent,
      count(*) filter (where status = 'delivered')::int as delivered,
      count(*) filter (where status in ('failed', 'undelivered'))::int as failed,
      count(*) filter (where status = 'unknown')::int as held,
      count(*) filter (where status = 'canceled')::int as canceled,
      coalesce(sum(segments) filter (where twilio_sid is not null), 0)::int as segments
    from ${messages}
    where tenant_id = ${p.tenantId} and direction = 'outbound' and ${range(messages.createdAt, p)}`);
  const r = rows[0]!;
  return { created: int(r.created), sent: int(r.sent), delivered: int(r.delivered), failed: int(r.failed), held: int(r.held), canceled: int(r.canceled), segments: int(r.segments) };
}

/** The period's inbound texts by body (the caller tells keywords from replies), leaving out the given numbers (the office's). */
export async function inboundBodies(db: Executor, p: ReportPeriod, excludeFrom: string[]): Promise<Array<{ body: string; count: number }>> {
  const exclude = excludeFrom.length > 0 ? sql`and "from" <> all(${`{${excludeFrom.join(',')}}`}::text[])` : sql``;
  const { rows } = await db.execute<{ body: string; count: number }>(sql`
    select body, count(*)::int as count from ${messages}
    where tenant_id = ${p.tenantId} and direction = 'inbound' and ${range(messages.createdAt, p)} ${exclude}
    group by body`);
  return rows.map((r) => ({ body: r.body, count: int(r.count) }));
}

/** Numbers whose consent changed in the period and that are opted out (or in) now. */
export async function countConsentChanges(db: Executor, p: ReportPeriod): Promise<{ optedOut: number; optedIn: number }> {
  const { rows } = await db.execute<{ opted_out: number; opted_in: number }>(sql`
    select count(*) filter (where sms_opt_out)::int as opted_out, count(*) filter (where not sms_opt_out)::int as opted_in
    from ${communicationPreferences} where tenant_id = ${p.tenantId} and ${range(communicationPreferences.changedAt, p)}`);
  return { optedOut: int(rows[0]!.opted_out), optedIn: int(rows[0]!.opted_in) };
}

/** Reminders whose text was written in the period, and the answers (confirm, reschedule) that came in it. */
export async function countReminders(db: Executor, p: ReportPeriod): Promise<ReminderCounts> {
  const { rows } = await db.execute<{ sent: number; confirmed: number; reschedule: number }>(sql`
    select
      (select count(*)::int from ${reminders} r join ${messages} m on m.id = r.message_id
        where r.tenant_id = ${p.tenantId} and r.status = 'sent' and m.twilio_sid is not null and ${range(sql`m.created_at`, p)}) as sent,
      (select count(*)::int from ${reminders} where tenant_id = ${p.tenantId} and ${range(reminders.confirmedAt, p)}) as confirmed,
      (select count(*)::int from ${reminders} where tenant_id = ${p.tenantId} and ${range(reminders.rescheduleRequestedAt, p)}) as reschedule`);
  const r = rows[0]!;
  return { sent: int(r.sent), confirmed: int(r.confirmed), rescheduleRequested: int(r.reschedule) };
}

/** Workflow runs started in the period, by where they are now. */
export async function countWorkflowRuns(db: Executor, p: ReportPeriod): Promise<RunCounts> {
  const { rows } = await db.execute<{ status: string; n: number }>(sql`
    select status, count(*)::int as n from ${workflowInstances} where tenant_id = ${p.tenantId} and ${range(workflowInstances.startedAt, p)} group by status`);
  const by = new Map(rows.map((r) => [r.status, int(r.n)]));
  const counts = { active: by.get('active') ?? 0, completed: by.get('completed') ?? 0, cancelled: by.get('cancelled') ?? 0, failed: by.get('failed') ?? 0 };
  return { started: counts.active + counts.completed + counts.cancelled + counts.failed, ...counts };
}

/**
 * Estimates sold in the period within `days` after a follow-up text about them reached
 * Twilio (a workflow run on that estimate, its `wf:<run>:` ledger rows), and their total
 * (ServiceTitan's subtotal + tax; the subtotal when the total is missing): what the
 * follow-ups earned.
 */
export async function followUpSales(db: Executor, p: ReportPeriod, days = 30): Promise<FollowUpSales> {
  const { rows } = await db.execute<{ estimates: number; total: string | null }>(sql`
    select count(*)::int as estimates, coalesce(sum(coalesce(e.total, e.subtotal)), 0)::text as total
    from ${stEstimates} e
    where e.tenant_id = ${p.tenantId} and e.status = 'Sold' and ${range(sql`e.sold_on`, p)}
      and exists (
        select 1 from ${workflowInstances} i join ${messages} m
          on m.tenant_id = i.tenant_id and m.idempotency_key like 'wf:' || i.id::text || ':%' and m.twilio_sid is not null
        where i.tenant_id = e.tenant_id and i.subject_type = 'estimate' and i.subject_id = e.id::text
          and m.created_at <= e.sold_on and m.created_at > e.sold_on - make_interval(days => ${days}::int))`);
  return { estimates: int(rows[0]!.estimates), total: Number(rows[0]!.total ?? 0).toFixed(2) };
}
