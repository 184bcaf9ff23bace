// ServiceTitan sync with real processes: the compiled sync worker under PM2
// against the sandbox, driven through the REST API and the CLI.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as cli } from '@fieldhand/cli';
import { createTenant } from '@fieldhand/db';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { jobCatalog, JobBus, type FieldhandCatalog } from '@fieldhand/queues';
import { createTestRedis, type TestRedis } from '@fieldhand/queues/testing';
import { createSandbox, type RunningSandbox, type Sandbox } from '@fieldhand/sandbox';
import { ST_MODULES } from '@fieldhand/servicetitan';
import { pm2, pm2List, startPm2System, waitFor } from './helpers.js';

const adminKey = 'e2e-sync-admin-key-0123456789abcdef';
type StAccount = { tenantId: number; clientId: string; clientSecret: string; appKey: string };

let t: TestDatabase;
let redis: TestRedis;
let bus: JobBus<FieldhandCatalog>;
let sandbox: Sandbox;
let running: RunningSandbox;
let account: StAccount;
let tenantId: string;
let pm2Home: string;
let api: string;

const resourceOf = (module: string) => module.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

function sandboxRecords(module: string): Array<Record<string, unknown>> {
  const world = sandbox.accounts.stTenant(account.tenantId)!.world;
  const resource = resourceOf(module) as Parameters<typeof world.get>[0];
  return Array.from({ length: world.count(resource) }, (_, i) => world.get(resource, i) as Record<string, unknown>);
}

async function mirrored(module: (typeof ST_MODULES)[number]): Promise<Array<Record<string, unknown>>> {
  const { rows } = await t.db.execute<{ raw: Record<string, unknown> }>(
    sql`select raw from ${module.table} where tenant_id = ${tenantId} order by id`,
  );
  return rows.map((r) => r.raw);
}

async function expectMirrorEqualsSandbox(): Promise<void> {
  for (const module of ST_MODULES) {
    const expected = sandboxRecords(module.name).sort((a, b) => Number(a.id) - Number(b.id));
    expect(await mirrored(module), module.name).toEqual(expected);
  }
}

async function runCli(args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await cli(['--url', api, ...args], { env: { FIELDHAND_API_KEY: adminKey }, output: { out: (l) => lines.push(l), err: (l) => lines.push(l) } });
  return { code, out: lines.join('\n') };
}

beforeAll(async () => {
  t = await createTestDatabase();
  redis = createTestRedis();
  bus = new JobBus(jobCatalog, redis.connect('producer'), redis.prefix);
  sandbox = createSandbox({ logLevel: 'silent' });
  running = await sandbox.listen(0);
  // Small pages, so a pass takes many pages and a kill lands in the middle of one.
  const response = await fetch(`${running.url}/_sandbox/accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ seed: 11, size: 120, servicetitan: { exportPageSize: 8 } }),
  });
  account = ((await response.json()) as { servicetitan: StAccount }).servicetitan;
  tenantId = (
    await createTenant(t.db, {
      name: 'E2E Sync',
      timezone: 'America/Chicago',
      servicetitan: { tenantId: String(account.tenantId), clientId: account.clientId, clientSecret: account.clientSecret, appKey: account.appKey },
    })
  ).id;

  ({ pm2Home, api } = await startPm2System({ databaseUrl: t.url, redisUrl: redis.url, prefix: redis.prefix, adminKey, env: running.env }));
}, 90_000);

afterAll(async () => {
  if (pm2Home) pm2(pm2Home, ['kill']);
  await bus?.close();
  await running?.close();
  await redis?.cleanup();
  await t?.drop();
}, 60_000);

describe('sync under PM2', () => {
  it('`fieldhand sync start --wait` mirrors every module record for record, emitting no events on the first sync', async () => {
    const result = await runCli(['sync', 'start', tenantId, '--full', '--wait', '--poll', '200']);
    expect(result.code, result.out).toBe(0);
    expect(result.out).toContain('sync finished');
    await expectMirrorEqualsSandbox();
    expect(await bus.queue('workflow').count()).toBe(0);
  }, 90_000);

  it('survives kill -9 of the sync worker mid-pass: identical tables, each change event once', async () => {
    const open = sandboxRecords('estimates').filter((e) => (e.status as { name: string }).name === 'Open').slice(0, 5);
    expect(open).toHaveLength(5);
    for (const estimate of open) {
      const sold = await fetch(`${running.url}/_sandbox/servicetitan/${account.tenantId}/estimates/${String(estimate.id)}/sell`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(sold.status, await sold.text()).toBeLessThan(300);
    }

    const started = await fetch(`${api}/api/v1/tenants/${tenantId}/sync`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ source: 'servicetitan', full: true }),
    });
    expect(started.status).toBe(202);
    await waitFor(async () => {
      const { rows } = await t.db.execute<{ page: number }>(sql`select max(run_page)::int as page from sync_state where tenant_id = ${tenantId} and run_id is not null`);
      return (rows[0]?.page ?? 0) >= 2 || undefined;
    }, 30_000, 'a pass a few pages in');
    const worker = pm2List(pm2Home).find((p) => p.name === 'fieldhand-worker-sync')!;
    process.kill(worker.pid, 'SIGKILL');

    await waitFor(async () => {
      const { rows } = await t.db.execute<{ running: number }>(sql`select count(*) filter (where run_id is not null)::int as running from sync_state where tenant_id = ${tenantId}`);
      return rows[0]!.running === 0 || undefined;
    }, 60_000, 'every module idle after the restart');
    expect(pm2List(pm2Home).find((p) => p.name === 'fieldhand-worker-sync')!.restarts).toBeGreaterThanOrEqual(1);

    await expectMirrorEqualsSandbox();
    const events = (await bus.queue('workflow').getJobs(['waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed'])).map((j) => j.data as { eventId: string; type: string; subject: { id: number } });
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
    const statusChanges = events.filter((e) => e.type === 'estimate.status_changed').map((e) => e.subject.id).sort();
    expect(statusChanges).toEqual(open.map((e) => Number(e.id)).sort());
  }, 120_000);
});
