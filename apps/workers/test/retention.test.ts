import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant, findConsent } from '@fieldhand/db';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { createLogger } from '@fieldhand/observability';
import { runRetention, type RetentionSettings } from '../src/maintenance/retention.js';

const logger = createLogger({ name: 'retention-test', level: 'silent' });
const SETTINGS: RetentionSettings = { messageBodyDays: 400, inboxDays: 30, workflowEventsDays: 90, syncRunsDays: 90, stepRunsDays: 180, webhookDeliveriesDays: 30, batchSize: 500 };
const OLD_MESSAGES = 3_000;
const OPTED_OUT = '+15125550199';
let t: TestDatabase;
let tenants: string[];

const count = async (query: ReturnType<typeof sql>) => Number((await t.db.execute<{ n: number }>(query)).rows[0]!.n);

beforeAll(async () => {
  t = await createTestDatabase();
  tenants = [(await createTenant(t.db, { name: 'Old HVAC', timezone: 'UTC' })).id, (await createTenant(t.db, { name: 'Old Plumbing', timezone: 'UTC' })).id];
  for (const tenantId of tenants) {
    // Old texts (500 days), one of them the STOP that opted a number out; recent ones (10 days).
    await t.db.execute(sql`
      insert into messages (tenant_id, direction, "to", "from", body, status, segments, created_at)
      select ${tenantId}, 'outbound', '+1512555' || lpad((i % 10000)::text, 4, '0'), '+15125550000', 'old text ' || i, 'delivered', 1, now() - interval '500 days' + (i || ' seconds')::interval
      from generate_series(1, ${OLD_MESSAGES}) i`);
    await t.db.execute(sql`insert into messages (tenant_id, direction, "to", "from", body, status, segments, created_at) values (${tenantId}, 'inbound', '+15125550000', ${OPTED_OUT}, 'STOP', 'received', 1, now() - interval '450 days')`);
    await t.db.execute(sql`
      insert into messages (tenant_id, direction, "to", "from", body, status, segments, created_at)
      select ${tenantId}, 'outbound', '+15125551234', '+15125550000', 'recent text ' || i, 'delivered', 1, now() - interval '10 days' from generate_series(1, 20) i`);
    await t.db.execute(sql`insert into communication_preferences (tenant_id, phone, sms_opt_out, changed_at, keyword, source, created_at) values (${tenantId}, ${OPTED_OUT}, true, now() - interval '450 days', 'STOP', 'inbound_sms', now() - interval '450 days')`);
    await t.db.execute(sql`
      insert into workflow_events (tenant_id, event_id, type, subject_type, subject_id, payload, evaluations, evaluated_at)
      select ${tenantId}, 'evt-' || i, 'estimate.created', 'estimate', i::text, '{}', '[]', now() - (case when i % 2 = 0 then interval '100 days' else interval '5 days' end)
      from generate_series(1, 1200) i`);
    await t.db.execute(sql`
      insert into sync_runs (tenant_id, source, module, "full", emits_events, status, started_at, finished_at)
      values (${tenantId}, 'servicetitan', 'jobs', false, true, 'succeeded', now() - interval '120 days', now() - interval '120 days'),
             (${tenantId}, 'servicetitan', 'jobs', false, true, 'running', now() - interval '120 days', null),
             (${tenantId}, 'servicetitan', 'jobs', false, true, 'succeeded', now() - interval '1 day', now() - interval '1 day')`);
  }
  // Step runs: completed 200 days ago in a finished run (go) and in a run still active (stay), and a recent one (stays).
  await t.db.execute(sql`
    with d as (insert into workflow_definitions (tenant_id, key, version, name, document) values (${tenants[0]}, 'follow-up', 1, 'Follow-up', '{}') returning id),
    runs as (
      insert into workflow_instances (tenant_id, definition_id, definition_key, definition_version, subject_type, subject_id, status, finished_at)
      select ${tenants[0]}, d.id, 'follow-up', 1, 'estimate', s::text, case when s = 1 then 'completed' else 'active' end, case when s = 1 then now() - interval '200 days' end
      from d, generate_series(1, 2) s returning id, status
    )
    insert into workflow_step_runs (tenant_id, instance_id, step_id, step_type, status, due_at, finished_at)
    select ${tenants[0]}, runs.id, step, 'send_sms', 'completed', now() - interval '200 days', case when step = 'recent' then now() - interval '1 day' else now() - interval '200 days' end
    from runs, unnest(array['text-1', 'text-2', 'recent']) step`);
  await t.db.execute(sql`
    insert into webhook_inbox (provider, external_id, queue, job_name, payload, received_at, processed_at)
    select 'twilio', 'SM' || i, 'sms-inbound', 'sms.inbound', '{}', now() - interval '40 days',
      case when i % 3 = 0 then null else now() - interval '40 days' end
    from generate_series(1, 1500) i`);
  // Event webhooks: old events delivered (go, with their deliveries), an old one whose delivery failed (both stay),
  // a recent delivered one (stays). Office alerts quoting a text: old (go) and recent (stay).
  await t.db.execute(sql`
    with ep as (insert into webhook_endpoints (tenant_id, url, events, secret) values (${tenants[0]}, 'https://hooks.example.com/in', '{message.received}', 'not-a-real-sealed-secret') returning id),
    ev as (
      insert into webhook_events (tenant_id, id, type, timestamp, data, created_at)
      select ${tenants[0]}, 'evt-' || i, 'message.received', now(), '{}', now() - (case when i <= 900 then interval '40 days' else interval '2 days' end)
      from generate_series(1, 1000) i returning id, created_at
    )
    insert into webhook_deliveries (tenant_id, event_id, endpoint_id, status, attempts, delivered_at, created_at)
    select ${tenants[0]}, ev.id, ep.id, case when ev.id = 'evt-1' then 'failed' else 'delivered' end, 1, case when ev.id = 'evt-1' then null else ev.created_at end, ev.created_at
    from ev, ep`);
  await t.db.execute(sql`
    insert into office_alerts (tenant_id, event_id, event_type, office_phone, body, status, created_at)
    select ${tenants[0]}, 'alert-' || i, 'message.received', '+15125550190', 'Reply from +1512…: "text ' || i || '"', 'sent', now() - (case when i <= 30 then interval '500 days' else interval '3 days' end)
    from generate_series(1, 40) i`);
});
afterAll(() => t.drop());

describe('maintenance.retention', () => {
  it('blanks old bodies and deletes old rows in batches, keeps metadata, recent rows and every opt-out', async () => {
    const outcome = await runRetention({ db: t.db, logger }, SETTINGS);

    // Bodies: every text older than 400 days blanked, in batches of 500 per tenant; who, when, status stay.
    expect(outcome.messages.rows).toBe(2 * (OLD_MESSAGES + 1));
    expect(outcome.messages.statements).toBeGreaterThanOrEqual(2 * Math.ceil((OLD_MESSAGES + 1) / SETTINGS.batchSize));
    expect(await count(sql`select count(*)::int as n from messages where created_at < now() - interval '400 days' and body <> ''`)).toBe(0);
    expect(await count(sql`select count(*)::int as n from messages where created_at < now() - interval '400 days' and status = 'delivered' and "to" like '+1512555%'`)).toBe(2 * OLD_MESSAGES);
    expect(await count(sql`select count(*)::int as n from messages where body like 'recent text %'`)).toBe(40);

    // Opt-outs are never deleted: the number stays opted out in both tenants.
    for (const tenantId of tenants) expect(await findConsent(t.db, tenantId, OPTED_OUT)).toMatchObject({ smsOptOut: true, keyword: 'STOP' });

    // Inbox: processed rows past 30 days gone, an unprocessed one kept (its job must still run).
    expect(outcome.webhook_inbox.rows).toBe(1000);
    expect(await count(sql`select count(*)::int as n from webhook_inbox`)).toBe(500);
    expect(await count(sql`select count(*)::int as n from webhook_inbox where processed_at is not null`)).toBe(0);

    expect(outcome.workflow_events.rows).toBe(1200);
    expect(await count(sql`select count(*)::int as n from workflow_events where evaluated_at < now() - interval '90 days'`)).toBe(0);
    expect(await count(sql`select count(*)::int as n from workflow_events`)).toBe(1200);

    // Sync history: the old finished run goes; a run still marked running, and a recent one, stay.
    expect(outcome.sync_runs.rows).toBe(2);
    expect(await count(sql`select count(*)::int as n from sync_runs`)).toBe(4);
    // Step runs: the two old completed steps of the finished run go; the active run's and the recent one stay.
    expect(outcome.workflow_step_runs.rows).toBe(2);
    expect(await count(sql`select count(*)::int as n from workflow_step_runs`)).toBe(4);
    expect(await count(sql`select count(*)::int as n from workflow_instances`)).toBe(2);
    // Event webhooks: 899 old delivered deliveries and then their events go; the failed one and its event stay, and the recent ones.
    expect(outcome.webhook_deliveries.rows).toBe(899);
    expect(outcome.webhook_events.rows).toBe(899);
    expect(await count(sql`select count(*)::int as n from webhook_deliveries where status = 'failed'`)).toBe(1);
    expect(await count(sql`select count(*)::int as n from webhook_events`)).toBe(101);
    // Office alerts quote the customers' texts: they go with the bodies.
    expect(outcome.office_alerts.rows).toBe(30);
    expect(await count(sql`select count(*)::int as n from office_alerts`)).toBe(10);
    for (const table of Object.values(outcome)) expect(table.rows === 0 || table.statements > 0).toBe(true);
  });

  it('a second pass finds nothing to do', async () => {
    const again = await runRetention({ db: t.db, logger }, SETTINGS);
    expect(Object.values(again).map((table) => table.rows)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });
});
