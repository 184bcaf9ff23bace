// Every hot query has its index: on a database with 1,000,000 messages over 100 tenants (and
// tens of thousands of consent rows, reminders, runs, deliveries), the repository functions
// of the send, inbound, status-callback, consent, conversation and reconciler paths are run
// as the product runs them; each statement they send is captured at the pg client and
// EXPLAINed (prepared statements by EXPLAIN EXECUTE), and no plan reads a large table by a
// sequential scan.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acceptedStatement,
  activeWorkflowRunsByCancelKeys,
  applyStatusCallback,
  claimOfficeAlert,
  claimStatement,
  countConsentChanges,
  countMessagesInStatus,
  countOptOutsToday,
  countReminders,
  countTexts,
  countWorkflowRuns,
  createTenant,
  findAnsweredReminder,
  findConsent,
  findConversation,
  findDueWorkflowSteps,
  findLastTextTo,
  findMessageByKey,
  findMessageBySid,
  findOverdueSends,
  findOverdueWebhookDeliveries,
  findScheduledReminders,
  findSendable,
  findStaleOutbox,
  findStrandedAlertNumbers,
  findTenantBySmsNumber,
  findTenantOfMessageSid,
  findUnprocessedInbox,
  followUpSales,
  inboundBodies,
  insertInboundTexts,
  insertOutboundMessage,
  lastInboundAt,
  listConversations,
  listMessages,
  openConsentGate,
  queuedSendsTo,
  recordConsent,
  storedTwilioSids,
  syncLagByModule,
  transitionMessage,
} from '../src/index.js';
import { createTestDatabase, type TestDatabase } from '../src/testing.js';

const TENANTS = 100;
const MESSAGES_PER_TENANT = 10_000;
// A table this large must never be read whole by a hot query.
const LARGE = 5_000;

let t: TestDatabase;
const tenantIds: string[] = [];
const sender = (k: number) => `+1737300${String(1000 + k)}`;
const customer = (g: number) => `+1512${String(5_000_000 + g).padStart(7, '0')}`;

type Captured = { text: string; values: unknown[] | undefined };
const captured: Captured[] = [];

// Records every statement a client sends while `capturing` runs: what the repository functions really send.
async function capturing<T>(run: () => Promise<T>): Promise<T> {
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, config: unknown, values?: unknown, ...rest: unknown[]) {
    if (typeof config === 'string') captured.push({ text: config, values: Array.isArray(values) ? values : undefined });
    else if (config && typeof config === 'object' && 'text' in config) captured.push({ text: String((config as { text: string }).text), values: Array.isArray(values) ? values : (config as { values?: unknown[] }).values });
    return (original as (...args: unknown[]) => unknown).call(this, config, values, ...rest);
  } as typeof original;
  try {
    return await run();
  } finally {
    pg.Client.prototype.query = original;
  }
}

beforeAll(async () => {
  t = await createTestDatabase();
  for (let k = 0; k < TENANTS; k++) tenantIds.push((await createTenant(t.db, { name: `Explain ${k}`, timezone: 'America/Chicago', twilio: { from: sender(k) } })).id);
  const ids = `{${tenantIds.join(',')}}`;
  // 1,000,000 messages: per tenant 10,000 over 400 days, 1 in 6 an inbound reply, a few still queued, a third from workflows.
  await t.db.execute(sql`
    insert into messages (tenant_id, direction, "to", "from", body, status, segments, twilio_sid, idempotency_key, created_at)
    select tid, case when g % 6 = 0 then 'inbound' else 'outbound' end,
      case when g % 6 = 0 then s else '+1512' || lpad((5000000 + (k * 1000 + g % 1000))::text, 7, '0') end,
      case when g % 6 = 0 then '+1512' || lpad((5000000 + (k * 1000 + g % 1000))::text, 7, '0') else s end,
      'text ' || g, case when g % 6 = 0 then 'received' when g % 997 = 0 then 'queued' else 'delivered' end, 1,
      case when g % 997 = 0 then null else 'SM' || md5(tid::text || g::text) end,
      case when g % 3 = 1 then 'wf:' || md5(tid::text || g::text)::uuid || ':text-1' end,
      now() - ((g % 400) || ' days')::interval - ((g % 86400) || ' seconds')::interval
    from unnest(${ids}::uuid[]) with ordinality as x(tid, k), lateral (select '+1737300' || (1000 + k - 1)::text as s) sn, generate_series(1, ${MESSAGES_PER_TENANT}) g`);
  await t.db.execute(sql`
    insert into communication_preferences (tenant_id, phone, sms_opt_out, keyword, source)
    select tid, '+1512' || lpad((5000000 + (k * 1000 + g))::text, 7, '0'), g % 10 = 0, 'STOP', 'inbound_sms'
    from unnest(${ids}::uuid[]) with ordinality as x(tid, k), generate_series(0, 199) g`);
  await t.db.execute(sql`
    insert into reminders (tenant_id, appointment_id, offset_minutes, appointment_start, due_at, status, phone)
    select tid, k * 100000 + g, 60, now() + (g || ' hours')::interval, now() + (g || ' hours')::interval - interval '1 hour',
      case when g % 5 = 0 then 'scheduled' else 'sent' end, '+1512' || lpad((5000000 + (k * 1000 + g % 1000))::text, 7, '0')
    from unnest(${ids}::uuid[]) with ordinality as x(tid, k), generate_series(1, 300) g`);
  await t.db.execute(sql`insert into workflow_definitions (tenant_id, key, version, name, document) select tid, 'follow-up', 1, 'Follow-up', '{}' from unnest(${ids}::uuid[]) tid`);
  await t.db.execute(sql`
    with runs as (
      insert into workflow_instances (tenant_id, definition_id, definition_key, definition_version, subject_type, subject_id, status, next_step_at, cancel_keys, started_at)
      select d.tenant_id, d.id, 'follow-up', 1, 'estimate', g::text, case when g % 4 = 0 then 'active' else 'completed' end,
        case when g % 4 = 0 then now() + interval '1 day' end, array['estimate:' || g], now() - (g % 300 || ' days')::interval
      from workflow_definitions d, generate_series(1, 300) g returning id, tenant_id, status)
    insert into workflow_step_runs (tenant_id, instance_id, step_id, step_type, status, due_at)
    select tenant_id, id, 'text-1', 'send_sms', case when status = 'active' then 'scheduled' else 'completed' end, now() + interval '1 day' from runs`);
  await t.db.execute(sql`
    with ep as (insert into webhook_endpoints (tenant_id, url, events, secret) select tid, 'https://hooks.example.com/' || tid, '{message.received}', 'sealed' from unnest(${ids}::uuid[]) tid returning id, tenant_id),
    ev as (insert into webhook_events (tenant_id, id, type, timestamp, data) select ep.tenant_id, 'evt-' || g, 'message.received', now(), '{}' from ep, generate_series(1, 200) g returning tenant_id, id)
    insert into webhook_deliveries (tenant_id, event_id, endpoint_id, status, attempts, next_attempt_at, delivered_at)
    select ev.tenant_id, ev.id, ep.id, case when ev.id like '%7' then 'retrying' else 'delivered' end, 1,
      case when ev.id like '%7' then now() + interval '1 hour' end, case when ev.id like '%7' then null else now() end
    from ev join ep on ep.tenant_id = ev.tenant_id`);
  await t.db.execute(sql`
    insert into webhook_inbox (provider, external_id, queue, job_name, payload, received_at, processed_at)
    select 'twilio-sms', 'SM' || md5(g::text), 'sms-inbound', 'sms.inbound', '{}', now() - interval '1 hour', now() from generate_series(1, 20000) g`);
  await t.db.execute(sql`
    insert into outbox (job_id, queue, job_name, payload, created_at)
    select 'ev-' || g, 'events', 'events.publish', '{}', now() - interval '1 day' from generate_series(1, 100) g`);
  await t.db.execute(sql`
    insert into office_alerts (tenant_id, event_id, event_type, office_phone, body, status, message_id, sent_at)
    select tid, 'evt-' || g, 'message.received', '+15125550190', 'Reply', 'sent', null, now() from unnest(${ids}::uuid[]) tid, generate_series(1, 100) g`);
  await t.db.execute(sql`update office_alerts set message_id = (select id from messages limit 1)`);
  await t.db.execute(sql`
    insert into st_customer_contacts (tenant_id, id, active, modified_on, raw, customer_id, type, value, phone)
    select tid, k * 100000 + g, true, now(), '{}', k * 100000 + g, 'MobilePhone', p, p
    from unnest(${ids}::uuid[]) with ordinality as x(tid, k), generate_series(1, 500) g, lateral (select '+1512' || lpad((5000000 + (k * 1000 + g))::text, 7, '0') as p) pp`);
  await t.db.execute(sql`analyze`);
}, 300_000);
afterAll(() => t?.drop());

/** The hot paths, as the product calls them, for one tenant and one of its customers. */
async function runHotPaths(): Promise<void> {
  const db = t.db;
  const tenantId = tenantIds[42]!;
  const phone = customer(43 * 1000 + 7);
  const now = new Date();
  // Send: the ledger row, the send job's read, the claim + consent gate, accepted, the status callback.
  const { message } = await insertOutboundMessage(db, { tenantId, direction: 'outbound', to: phone, body: 'Explain me', status: 'queued', segments: 1, idempotencyKey: `explain-${randomUUID()}` });
  await findMessageByKey(db, tenantId, message.idempotencyKey!);
  await findSendable(db, tenantId, message.id);
  const gate = await openConsentGate(db, tenantId, phone, claimStatement(message.id));
  const sid = `SM${randomUUID().replace(/-/g, '')}`;
  await gate.commit(acceptedStatement(message.id, sid, sender(42)));
  await gate.release();
  await findTenantOfMessageSid(db, sid);
  await findMessageBySid(db, { tenantId }, sid);
  await applyStatusCallback(db, { tenantId }, sid, 'delivered', null);
  await storedTwilioSids(db, [sid]);
  await transitionMessage(db, message.id, ['delivered'], { status: 'delivered', source: 'test' });
  await queuedSendsTo(db, tenantId, phone);
  await findLastTextTo(db, tenantId, phone, now);
  // Inbound: tenant by number, the text and its inbox row, consent, the reply's context.
  await findTenantBySmsNumber(db, sender(42));
  await insertInboundTexts(db, [
    { id: randomUUID(), tenantId, to: sender(42), from: phone, body: 'yes', twilioSid: `SM${randomUUID().replace(/-/g, '')}`, segments: 1, correlationId: 'explain', inbox: { provider: 'twilio-sms', queue: 'sms-inbound', jobName: 'sms.inbound', payload: {} } },
  ]);
  await findConsent(db, tenantId, phone);
  await recordConsent(db, { tenantId, phone, optOut: false, keyword: 'START', source: 'inbound_sms' });
  await lastInboundAt(db, tenantId, phone);
  await findAnsweredReminder(db, tenantId, phone, now);
  await activeWorkflowRunsByCancelKeys(db, tenantId, ['estimate:17', `phone:${phone}`]);
  // The office's views.
  await findConversation(db, tenantId, phone);
  await listConversations(db, { tenantId, status: 'all', limit: 50 });
  await listConversations(db, { tenantId, status: 'open', limit: 50 });
  await listMessages(db, { tenantId, limit: 50 });
  // The tenant's report over a week.
  const week = { tenantId, from: new Date(now.getTime() - 7 * 86_400_000), to: now };
  await countTexts(db, week);
  await inboundBodies(db, week, ['+15125550190']);
  await countConsentChanges(db, week);
  await countReminders(db, week);
  await countWorkflowRuns(db, week);
  await followUpSales(db, week);
  // What every metrics scrape and the PM2 dashboard read, across tenants.
  await countMessagesInStatus(db, 'unknown');
  await countOptOutsToday(db);
  await syncLagByModule(db);
  await claimOfficeAlert(db, { tenantId, eventId: `evt-${randomUUID()}`, eventType: 'message.received', officePhone: '+15125550190', body: 'Reply' }, 5, now);
  // Reconcilers, every 30 s on every deployment.
  await findOverdueSends(db, new Date(now.getTime() - 60_000), 500);
  await findUnprocessedInbox(db, new Date(now.getTime() - 60_000), 500);
  await findStaleOutbox(db, new Date(now.getTime() - 60_000), 500);
  await findScheduledReminders(db, now, 500);
  await findDueWorkflowSteps(db, { dueBy: now, createdBefore: new Date(now.getTime() - 60_000), limit: 500 });
  await findOverdueWebhookDeliveries(db, 60_000, 500);
  await findStrandedAlertNumbers(db, new Date(now.getTime() - 120_000), 500);
}

type PlanNode = { 'Node Type': string; 'Relation Name'?: string; Plans?: PlanNode[] };
const seqScans = (node: PlanNode): string[] => [...(node['Node Type'] === 'Seq Scan' && node['Relation Name'] ? [node['Relation Name']] : []), ...(node.Plans ?? []).flatMap(seqScans)];

/** EXPLAIN of each captured statement; a SessionStatement batch's PREPAREs are run first and its EXECUTEs explained. */
async function explainAll(): Promise<Array<{ statement: string; seqScans: string[] }>> {
  const client = new pg.Client({ connectionString: t.url });
  await client.connect();
  const results: Array<{ statement: string; seqScans: string[] }> = [];
  try {
    const seen = new Set<string>();
    for (const { text, values } of captured) {
      const parts = text.split(/;\n/).map((p) => p.trim()).filter(Boolean);
      for (const part of parts) {
        if (!/^(select|with|insert|update|delete|execute)\b/i.test(part) || /pg_advisory|pg_try_advisory/i.test(part)) continue;
        const key = `${part}|${JSON.stringify(values ?? [])}`;
        if (seen.has(key)) continue;
        seen.add(key);
        // The batch's own PREPAREs, so EXPLAIN EXECUTE finds the statement.
        if (/^execute\b/i.test(part)) for (const p of parts.filter((x) => /^prepare\b/i.test(x))) await client.query(p).catch(() => undefined);
        const explained = await client.query({ text: `explain (format json) ${part}`, values: /^execute\b/i.test(part) ? [] : (values ?? []) }).catch((error: Error) => ({ error }));
        if ('error' in explained) throw new Error(`could not EXPLAIN: ${part.slice(0, 200)}: ${explained.error.message}`);
        const plan = (explained.rows[0] as { 'QUERY PLAN': Array<{ Plan: PlanNode }> })['QUERY PLAN'][0]!.Plan;
        results.push({ statement: part.replace(/\s+/g, ' ').slice(0, 160), seqScans: seqScans(plan) });
      }
    }
  } finally {
    await client.end();
  }
  return results;
}

describe('hot queries on 1,000,000 messages and 100 tenants', () => {
  it('every statement of the hot paths uses an index on every large table', async () => {
    await capturing(runHotPaths);
    const { rows } = await t.db.execute<{ relname: string }>(sql`select relname from pg_class where relkind = 'r' and relnamespace = 'public'::regnamespace and reltuples >= ${LARGE}`);
    const large = new Set(rows.map((r) => r.relname));
    expect(large).toContain('messages');
    const plans = await explainAll();
    console.info(`${plans.length} statements explained over ${[...large].sort().join(', ')}`);
    expect(plans.length).toBeGreaterThan(30);
    const offending = plans.filter((p) => p.seqScans.some((table) => large.has(table)));
    expect(offending, 'statements reading a large table by a sequential scan').toEqual([]);
  }, 120_000);
});
