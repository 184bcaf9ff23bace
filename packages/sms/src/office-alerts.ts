import {
  attachAlertMessage,
  claimOfficeAlert,
  findConversation,
  findSentAlertsWithoutText,
  findStrandedAlertNumbers,
  findTenant,
  findWorkflowRun,
  foldPendingAlerts,
  hasUnsentAlerts,
  type Database,
  type OfficeAlertRow,
  type TenantRow,
  type TextOrigin,
} from '@fieldhand/db';
import type { Logger } from '@fieldhand/observability';
import { normalizePhone } from '@fieldhand/phone';
import type { FieldhandCatalog, JobBus, JobData } from '@fieldhand/queues';
import { createOutboundMessage } from './create-message.js';

/** Texts one office number gets per minute; past it, alerts wait for the minute's summary. */
export const OFFICE_ALERTS_PER_MINUTE = 5;
/** What is forwarded when the tenant's `alerts.events` is unset. */
export const DEFAULT_ALERT_EVENTS = ['message.received', 'message.held', 'sync.failed', 'webhook_endpoint.disabled'] as const;

const MINUTE_MS = 60_000;
// An alert text stays within two segments; a quoted reply is cut to fit.
const QUOTE_MAX = 160;
const SUMMARY_MAX = 300;

export type AlertDeps = { db: Database; bus: JobBus<FieldhandCatalog>; logger: Logger; clock?: () => Date };
type Event = Pick<JobData<FieldhandCatalog, 'events.publish'>, 'tenantId' | 'id' | 'type' | 'data'>;

/** The tenant's office numbers (E.164, duplicates dropped); none when alerts are not set. */
export function officeNumbers(tenant: Pick<TenantRow, 'alerts'>): string[] {
  const numbers = (tenant.alerts?.replyTo ?? []).map((n) => normalizePhone(n)).filter((n): n is string => n !== undefined);
  return [...new Set(numbers)];
}

/** Whether a number is one of the tenant's office numbers: its texts are the office's, not a customer's. */
export function isOfficeNumber(tenant: Pick<TenantRow, 'alerts'>, phone: string): boolean {
  return officeNumbers(tenant).includes(phone);
}

/**
 * Forwards an event to the tenant's office numbers by text, when the tenant has them and
 * the event is one it asked for (`alerts.events`, else DEFAULT_ALERT_EVENTS). Each number
 * gets its own text while under OFFICE_ALERTS_PER_MINUTE; past it the alert waits for that
 * number's summary (`events.alert-summary`, at the end of the minute). Safe to run again:
 * the alert row is one per (event, number) and its text is keyed by the row.
 */
export async function forwardOfficeAlert(deps: AlertDeps, event: Event): Promise<{ sent: number; folded: number }> {
  const counts = { sent: 0, folded: 0 };
  const tenant = await findTenant(deps.db, event.tenantId);
  if (!tenant) return counts;
  const numbers = officeNumbers(tenant);
  const wanted: readonly string[] = tenant.alerts?.events ?? DEFAULT_ALERT_EVENTS;
  if (numbers.length === 0 || !wanted.includes(event.type)) return counts;
  // The office's own texts are not replies to forward (receive-inbound marks them; this is the second line).
  if (event.type === 'message.received' && numbers.includes(String(event.data['from']))) return counts;
  const body = await alertText(deps.db, tenant, event);
  const now = (deps.clock ?? (() => new Date()))();
  for (const phone of numbers) {
    const alert = await claimOfficeAlert(deps.db, { tenantId: tenant.id, eventId: event.id, eventType: event.type, officePhone: phone, body }, OFFICE_ALERTS_PER_MINUTE, now);
    if (alert.status === 'sent' && !alert.messageId) {
      await textAlert(deps, alert);
      counts.sent++;
    } else if (alert.status === 'pending') {
      await enqueueSummary(deps, tenant.id, phone, now);
      counts.folded++;
    }
  }
  return counts;
}

/**
 * `events.alert-summary`: one text for the alerts an office number did not get on their own,
 * then another summary next minute if more arrived meanwhile. Also writes the text of any
 * alert whose claim committed but whose text was never written (a crash in between).
 */
export async function sendAlertSummary(deps: AlertDeps, data: { tenantId: string; phone: string }): Promise<{ folded: number }> {
  for (const alert of await findSentAlertsWithoutText(deps.db, data.tenantId, data.phone)) await textAlert(deps, alert);
  const folded = await foldPendingAlerts(deps.db, data.tenantId, data.phone);
  if (folded.length > 0) {
    const { message } = await createOutboundMessage(deps.db, deps.bus, { tenantId: data.tenantId, to: data.phone, body: summaryText(folded), idempotencyKey: folded[0]!.summaryKey!, officeAlert: true }, deps.logger);
    await attachAlertMessage(deps.db, data.tenantId, folded.map((a) => a.id), message.id);
  }
  if (await hasUnsentAlerts(deps.db, data.tenantId, data.phone)) await enqueueSummary(deps, data.tenantId, data.phone, (deps.clock ?? (() => new Date()))(), 1);
  return { folded: folded.length };
}

/**
 * Part of `events.reconcile`: office numbers with alerts still waiting for a text after two
 * minutes (their summary job lost with Redis, or a crash after the claim) get a summary job again.
 */
export async function reconcileOfficeAlerts(deps: AlertDeps): Promise<number> {
  const now = (deps.clock ?? (() => new Date()))();
  const stranded = await findStrandedAlertNumbers(deps.db, new Date(now.getTime() - 2 * MINUTE_MS), 500);
  for (const { tenantId, officePhone } of stranded) {
    await deps.bus.enqueue('events.alert-summary', { tenantId, phone: officePhone }, { jobId: `${summaryJobId(tenantId, officePhone, now)}-rc${now.getTime()}` });
  }
  if (stranded.length > 0) deps.logger.warn({ numbers: stranded.length }, 'office alerts waiting without a text; summaries enqueued again');
  return stranded.length;
}

async function textAlert(deps: AlertDeps, alert: OfficeAlertRow): Promise<void> {
  const { message } = await createOutboundMessage(deps.db, deps.bus, { tenantId: alert.tenantId, to: alert.officePhone, body: alert.body, idempotencyKey: `office-alert:${alert.id}`, officeAlert: true }, deps.logger);
  await attachAlertMessage(deps.db, alert.tenantId, [alert.id], message.id);
}

// One summary job per office number and minute: every alert folded in that minute shares it.
const summaryJobId = (tenantId: string, phone: string, at: Date, minutesAhead = 0) => `alert-summary-${tenantId}-${phone.slice(1)}-${Math.floor(at.getTime() / MINUTE_MS) + minutesAhead}`;

function enqueueSummary(deps: AlertDeps, tenantId: string, phone: string, now: Date, minutesAhead = 0) {
  const minuteEnds = (Math.floor(now.getTime() / MINUTE_MS) + minutesAhead + 1) * MINUTE_MS;
  return deps.bus.enqueue('events.alert-summary', { tenantId, phone }, { jobId: summaryJobId(tenantId, phone, now, minutesAhead), delay: minuteEnds - now.getTime() });
}

const quote = (text: string, max = QUOTE_MAX) => `"${text.length > max ? `${text.slice(0, max - 1)}…` : text}"`;

/** "Jane Doe" → "Jane D." (the office knows who; a text needs no full name). */
function shortName(name: string | null | undefined): string | undefined {
  const parts = (name ?? '').trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : `${parts[0]} ${parts[parts.length - 1]![0]!.toUpperCase()}.`;
}

/** The alert text of one event, e.g. `Reply from Jane D. (+13125550101) about estimate 1234: "yes call me"`. */
export async function alertText(db: Database, tenant: TenantRow, event: Event): Promise<string> {
  const d = event.data;
  switch (event.type) {
    case 'message.received':
    case 'message.held': {
      const phone = String(d['phone']);
      const thread = await findConversation(db, tenant.id, phone);
      const name = shortName(thread?.customer?.name ?? thread?.ghlContact?.name);
      const who = name ? `${name} (${phone})` : phone;
      if (event.type === 'message.received') return `Reply from ${who}${await aboutWhat(db, tenant.id, thread?.lastOutbound?.partOf)}: ${quote(String(d['body'] ?? ''))}`;
      return `Text to ${who} may not have gone out (held as unknown; check it before sending again): ${quote(String(d['body'] ?? ''), 100)}`;
    }
    case 'sync.failed':
      return `${tenant.name}: ${String(d['source'])} sync of ${String(d['module'])} keeps failing: ${quote(String(d['error'] ?? ''), 120)}`;
    case 'webhook_endpoint.disabled':
      return `${tenant.name}: event webhook ${String(d['url'])} was disabled after failing since ${String(d['failingSince']).slice(0, 10)}.`;
    default:
      return `${tenant.name}: ${event.type} ${quote(JSON.stringify(d), 120)}`;
  }
}

/** " about estimate 1234" when our last text to them was part of something. */
async function aboutWhat(db: Database, tenantId: string, partOf: TextOrigin | undefined): Promise<string> {
  if (partOf?.kind === 'workflow_run') {
    const run = await findWorkflowRun(db, tenantId, partOf.workflowRunId);
    return run ? ` about ${run.subjectType} ${run.subjectId}` : '';
  }
  if (partOf?.kind === 'reminder' && partOf.appointmentId !== null) return ` about appointment ${partOf.appointmentId}`;
  return '';
}

/** One text for many alerts: how many, of what kind, and the first few people. */
function summaryText(alerts: OfficeAlertRow[]): string {
  const replies = alerts.filter((a) => a.eventType === 'message.received');
  const others = alerts.length - replies.length;
  const kinds = [replies.length > 0 ? `${replies.length} ${replies.length === 1 ? 'reply' : 'replies'}` : '', others > 0 ? `${others} other${others === 1 ? '' : 's'}` : ''].filter(Boolean).join(' and ');
  const who = replies.map((a) => /^Reply from (.+?)(?: about .+?)?: "/.exec(a.body)?.[1]).filter((w): w is string => w !== undefined);
  const from = who.length > 0 ? ` from ${who.slice(0, 4).join(', ')}${who.length > 4 ? ` and ${who.length - 4} more` : ''}` : '';
  const text = `Fieldhand: ${alerts.length} more alert${alerts.length === 1 ? '' : 's'} this minute (${kinds})${from}. See conversations in Fieldhand.`;
  return text.length > SUMMARY_MAX ? `${text.slice(0, SUMMARY_MAX - 1)}…` : text;
}
