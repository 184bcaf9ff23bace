// The deployment gauges of GET /metrics (the API's main.ts wires the same reader): read
// from PostgreSQL and Redis at scrape time, exported once, without an instance label.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant } from '@fieldhand/db';
import { createLogger, setDeploymentStateReader } from '@fieldhand/observability';
import { parseRedisMemory, readDeploymentState } from '../src/metrics/deployment-state.js';
import { startTestApi, type TestApi } from './support/test-api.js';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
  setDeploymentStateReader(readDeploymentState(api.db, api.redis.connect('producer'), createLogger({ name: 't', level: 'silent' })));
});
afterAll(async () => {
  setDeploymentStateReader(undefined);
  await api.stop();
});

const sample = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('deployment gauges on /metrics', () => {
  it('show the worst sync lag per module, unknown texts, today’s opt-outs and Redis memory', async () => {
    const servicetitan = { tenantId: '1', clientId: 'c', clientSecret: 's', appKey: 'k' };
    const a = await createTenant(api.db, { name: 'Lag A', timezone: 'America/Chicago', servicetitan });
    const b = await createTenant(api.db, { name: 'Lag B', timezone: 'America/Chicago', servicetitan, ghl: { locationId: 'loc-b', token: 't' } });
    // Disconnected from ServiceTitan a month ago: it never syncs again, and must not page anyone.
    const gone = await createTenant(api.db, { name: 'Lag Gone', timezone: 'America/Chicago' });
    await api.db.execute(sql`insert into sync_state (tenant_id, source, module, last_success_at) values
      (${a.id}, 'servicetitan', 'jobs', now() - interval '20 minutes'),
      (${b.id}, 'servicetitan', 'jobs', now() - interval '2 minutes'),
      (${b.id}, 'ghl', 'contacts', now() - interval '1 minute'),
      (${gone.id}, 'servicetitan', 'jobs', now() - interval '30 days'),
      (${gone.id}, 'servicetitan', 'invoices', now() - interval '30 days')`);
    await api.db.execute(sql`insert into messages (tenant_id, direction, "to", body, status, segments) values
      (${a.id}, 'outbound', '+15125550100', 'x', 'unknown', 1), (${b.id}, 'outbound', '+15125550101', 'x', 'unknown', 1),
      (${b.id}, 'outbound', '+15125550102', 'x', 'delivered', 1)`);
    // One opt-out today, one from last week, one number that opted back in today.
    await api.db.execute(sql`insert into communication_preferences (tenant_id, phone, sms_opt_out, changed_at, source) values
      (${a.id}, '+15125550100', true, now(), 'inbound_sms'), (${a.id}, '+15125550103', true, now() - interval '8 days', 'inbound_sms'),
      (${b.id}, '+15125550101', false, now(), 'inbound_sms')`);

    const text = (await api.request('/metrics')).text;
    const lag = sample(text, 'fieldhand_sync_lag_seconds{source="servicetitan",module="jobs"}')!;
    expect(lag).toBeGreaterThanOrEqual(20 * 60);
    expect(lag).toBeLessThan(21 * 60);
    expect(sample(text, 'fieldhand_sync_lag_seconds{source="ghl",module="contacts"}')).toBeLessThan(120);
    expect(sample(text, 'fieldhand_sync_lag_seconds{source="servicetitan",module="invoices"}')).toBeUndefined();
    expect(sample(text, 'fieldhand_messages_unknown')).toBe(2);
    expect(sample(text, 'fieldhand_sms_opt_outs_today')).toBe(1);
    expect(sample(text, 'fieldhand_redis_memory_used_bytes')).toBeGreaterThan(0);
    expect(sample(text, 'fieldhand_redis_memory_max_bytes')).toBeGreaterThanOrEqual(0);
    // Outside PM2 the API is the whole deployment: its own metrics, unlabelled.
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d/m);
  });

  it('reads maxmemory and used_memory from INFO memory', () => {
    expect(parseRedisMemory('# Memory\r\nused_memory:1048576\r\nused_memory_human:1.00M\r\nmaxmemory:4194304\r\n')).toEqual({ usedBytes: 1048576, maxBytes: 4194304 });
    expect(parseRedisMemory('# Memory\r\nused_memory:10\r\n')).toEqual({ usedBytes: 10, maxBytes: 0 });
    expect(parseRedisMemory('')).toBeUndefined();
  });
});
