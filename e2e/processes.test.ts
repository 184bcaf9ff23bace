// Real processes under PM2, as production runs them: compiled API and worker
// roles against a throwaway database and Redis prefix.
import { QueueEvents } from 'bullmq';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant, listDeadLetters } from '@fieldhand/db';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { jobCatalog, JobBus, type FieldhandCatalog } from '@fieldhand/queues';
import { createTestRedis, type TestRedis } from '@fieldhand/queues/testing';
import { expectedApps, pm2, pm2List, pm2LogLines, startPm2System, waitFor } from './helpers.js';

const adminKey = 'e2e-admin-key-0123456789abcdef';
let t: TestDatabase;
let redis: TestRedis;
let bus: JobBus<FieldhandCatalog>;
let events: QueueEvents;
let pm2Home: string;
let api: string;

beforeAll(async () => {
  t = await createTestDatabase();
  redis = createTestRedis();
  bus = new JobBus(jobCatalog, redis.connect('producer'), redis.prefix);
  events = new QueueEvents('maintenance', { connection: redis.connect('worker'), prefix: redis.prefix });
  // What the sms and sync workers' dashboards read from PostgreSQL at boot: a text in status
  // unknown, an opt-out of today, a ServiceTitan module last synced 20 minutes ago.
  // Its ServiceTitan is a closed port (startPm2System below): passes fail fast, the lag stays.
  const servicetitan = { tenantId: '1', clientId: 'c', clientSecret: 's', appKey: 'k' };
  const { id: tenantId } = await createTenant(t.db, { name: 'E2E Dashboard', timezone: 'America/Chicago', servicetitan });
  await t.db.execute(sql`insert into messages (tenant_id, direction, "to", body, status, segments) values (${tenantId}, 'outbound', '+15125550100', 'hi', 'unknown', 1)`);
  await t.db.execute(sql`insert into communication_preferences (tenant_id, phone, sms_opt_out, source) values (${tenantId}, '+15125550101', true, 'api')`);
  await t.db.execute(sql`insert into sync_state (tenant_id, source, module, last_success_at) values (${tenantId}, 'servicetitan', 'jobs', now() - interval '20 minutes')`);
  ({ pm2Home, api } = await startPm2System({
    databaseUrl: t.url,
    redisUrl: redis.url,
    prefix: redis.prefix,
    adminKey,
    env: { LOG_LEVEL: 'info', SERVICETITAN_AUTH_URL: 'http://127.0.0.1:9', SERVICETITAN_API_URL: 'http://127.0.0.1:9' },
  }));
}, 90_000);

afterAll(async () => {
  if (pm2Home) pm2(pm2Home, ['kill']);
  await events?.close();
  await bus?.close();
  await redis?.cleanup();
  await t?.drop();
}, 60_000);

describe('under PM2', () => {
  it('runs the API and every worker role online', async () => {
    const expected = expectedApps(false, { API_INSTANCES: '1' });
    const procs = await waitFor(() => {
      const list = pm2List(pm2Home);
      return list.length === expected.length && list.every((p) => p.status === 'online') ? list : undefined;
    }, 30_000, 'every PM2 app online');
    expect(procs.map((p) => p.name).sort()).toEqual(expected);
    expect(expected).toEqual(expect.arrayContaining(['fieldhand-api', 'fieldhand-worker-maintenance', 'fieldhand-worker-sync']));
  });

  it('retries and completes a job whose worker was killed with SIGKILL mid-run', async () => {
    const jobId = await bus.enqueue('maintenance.probe', { tenantId: null, probeId: 'kill-9', durationMs: 2_500 });
    const job = (await bus.queue('maintenance').getJob(jobId))!;
    await waitFor(async () => (await job.getState()) === 'active' || undefined, 20_000, 'probe job to start');
    const worker = pm2List(pm2Home).find((p) => p.name === 'fieldhand-worker-maintenance')!;
    process.kill(worker.pid, 'SIGKILL');

    const result = (await job.waitUntilFinished(events, 45_000)) as { probeId: string; pid: number };
    expect(result.probeId).toBe('kill-9');
    expect(result.pid).not.toBe(worker.pid);
    const restarted = pm2List(pm2Home).find((p) => p.name === 'fieldhand-worker-maintenance')!;
    expect(restarted.restarts).toBeGreaterThanOrEqual(1);
    expect((await listDeadLetters(t.db, { limit: 10 })).data).toHaveLength(0);
  }, 60_000);

  it('carries the request correlation id into the logs of the worker that runs the job', async () => {
    const correlationId = `e2e-${Date.now()}`;
    const response = await fetch(`${api}/api/v1/maintenance/probe`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json', 'x-correlation-id': correlationId },
      body: JSON.stringify({ probeId: 'corr' }),
    });
    expect(response.status).toBe(202);
    expect(response.headers.get('x-correlation-id')).toBe(correlationId);
    // The API's and the worker's lines reach PM2's log files in either order.
    const lines = await waitFor(
      () => {
        const mine = pm2LogLines(pm2Home).filter((l) => l.correlationId === correlationId);
        return mine.some((l) => l.service === 'worker-maintenance') && mine.some((l) => l.service === 'api') ? mine : undefined;
      },
      20_000,
      'API and worker log lines with the request correlation id',
    );
    expect(lines.find((l) => l.service === 'api')).toMatchObject({ method: 'POST', route: '/api/v1/maintenance/probe', status: 202 });
    expect(lines.find((l) => l.service === 'worker-maintenance')).toMatchObject({ msg: 'probe started', queue: 'maintenance' });
    for (const line of pm2LogLines(pm2Home)) expect(JSON.stringify(line)).not.toContain(adminKey);
  }, 30_000);

  it('publishes job and queue metrics to the PM2 dashboard, and pauses and resumes a queue on `pm2 trigger`', async () => {
    const jobId = await bus.enqueue('maintenance.probe', { tenantId: null, probeId: 'dashboard' });
    const job = (await bus.queue('maintenance').getJob(jobId))!;
    await job.waitUntilFinished(events, 20_000);
    type Monitor = Record<string, { value: unknown }>;
    const monitorOf = (name: string): Monitor => {
      const out = pm2(pm2Home, ['jlist']);
      const apps = JSON.parse(out.slice(out.indexOf('['))) as Array<{ name: string; pm2_env: { axm_monitor?: Monitor } }>;
      return apps.find((a) => a.name === name)?.pm2_env.axm_monitor ?? {};
    };
    // What `pm2 monit` / `pm2 describe` show: the maintenance worker counted the probe, and reads its queues' depths.
    const monitor = await waitFor(() => {
      const m = monitorOf('fieldhand-worker-maintenance');
      return Number(m['jobs completed/min']?.value) > 0 && m['maintenance waiting'] !== undefined ? m : undefined;
    }, 30_000, 'the maintenance worker metrics in pm2 jlist');
    expect(monitor).toHaveProperty(['jobs failed/min']);
    expect(monitor).toHaveProperty(['jobs active']);
    expect(monitor).toHaveProperty(['maintenance delayed']);
    expect(monitor).toHaveProperty(['maintenance failed']);

    // The sms worker's texts and consent, the sync worker's lag, the API's requests.
    const sms = await waitFor(() => {
      const m = monitorOf('fieldhand-worker-sms');
      return Number(m['messages unknown']?.value) === 1 && Number(m['opt-outs today']?.value) === 1 ? m : undefined;
    }, 30_000, 'the sms worker counting the unknown text and the opt-out of today');
    expect(Number(sms['sends/min']?.value)).toBe(0);
    const sync = await waitFor(() => {
      const m = monitorOf('fieldhand-worker-sync');
      return m['servicetitan oldest module lag'] !== undefined ? m : undefined;
    }, 30_000, 'the sync worker oldest module lag');
    expect(Number(sync['servicetitan oldest module lag']!.value)).toBeGreaterThanOrEqual(20 * 60);
    for (let i = 0; i < 3; i += 1) await fetch(`${api}/healthz`);
    const apiMonitor = await waitFor(() => {
      const m = monitorOf('fieldhand-api');
      return Number(m['requests/min']?.value) > 0 ? m : undefined;
    }, 30_000, 'the API requests/min');
    expect(Number(apiMonitor['5xx/min']?.value)).toBe(0);

    expect(await bus.queue('sms-send').isPaused()).toBe(false);
    pm2(pm2Home, ['trigger', 'fieldhand-worker-sms', 'pause', 'sms-send']);
    await waitFor(async () => (await bus.queue('sms-send').isPaused()) || undefined, 15_000, 'sms-send paused by pm2 trigger');
    pm2(pm2Home, ['trigger', 'fieldhand-worker-sms', 'resume', 'sms-send']);
    await waitFor(async () => !(await bus.queue('sms-send').isPaused()) || undefined, 15_000, 'sms-send resumed by pm2 trigger');
  }, 90_000);
});
