import { sql } from 'drizzle-orm';
import { getTableConfig } from 'drizzle-orm/pg-core';
import { createSandbox, type RunningSandbox, type Sandbox } from '../../../apps/sandbox/src/index.js';
import { createTenant, type Database } from '@fieldhand/db';
import { createLogger } from '@fieldhand/observability';
import { jobCatalog, JobBus, runWorkers, UnrecoverableError, type FieldhandCatalog, type RunningWorkers } from '@fieldhand/queues';
import type { TestRedis } from '@fieldhand/queues/testing';
import { applyPage, planSyncs, startSync, syncSources, type SyncDeps } from '@fieldhand/sync';
import { createClientFactory } from '../src/client/client-factory.js';
import { ST_MODULES, type StModule } from '../src/modules/index.js';
import { serviceTitanSource } from '../src/servicetitan-source.js';

export const logger = createLogger({ name: 'servicetitan-test', level: 'silent' });

export type StAccountInfo = { tenantId: number; clientId: string; clientSecret: string; appKey: string };

export async function startSandbox(options: Parameters<typeof createSandbox>[0] = {}): Promise<{ sandbox: Sandbox; running: RunningSandbox }> {
  const sandbox = createSandbox({ logLevel: 'silent', ...options });
  return { sandbox, running: await sandbox.listen(0) };
}

/** An isolated ServiceTitan account on the sandbox, made through its control API. */
export async function createAccount(running: RunningSandbox, spec: Record<string, unknown>): Promise<StAccountInfo> {
  const response = await fetch(`${running.url}/_sandbox/accounts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) });
  if (response.status !== 201) throw new Error(`sandbox account: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { servicetitan: StAccountInfo }).servicetitan;
}

export async function control(running: RunningSandbox, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${running.url}/_sandbox${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`sandbox ${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

export async function createStTenant(db: Database, account: StAccountInfo): Promise<string> {
  const tenant = await createTenant(db, {
    name: `st-${account.tenantId}`,
    timezone: 'America/Chicago',
    servicetitan: { tenantId: String(account.tenantId), clientId: account.clientId, clientSecret: account.clientSecret, appKey: account.appKey },
  });
  return tenant.id;
}

export type SyncHarness = { deps: SyncDeps; bus: JobBus<FieldhandCatalog>; workers: RunningWorkers; close: () => Promise<void> };

/** A real sync worker (BullMQ, PostgreSQL, the sandbox over HTTP) like the sync role runs, with ServiceTitan as its source. */
export function startSyncWorker(db: Database, redis: TestRedis, running: RunningSandbox, retry = { attempts: 8, baseDelayMs: 20, maxDelayMs: 200 }): SyncHarness {
  const bus = new JobBus(jobCatalog, redis.connect('producer'), redis.prefix);
  const clients = createClientFactory({
    db,
    authUrl: running.env.SERVICETITAN_AUTH_URL!,
    apiUrl: running.env.SERVICETITAN_API_URL!,
    redis: redis.connect('producer'),
    keyPrefix: redis.prefix,
    requestsPerSecond: 1_000,
    retry,
    timeoutMs: 5_000,
  });
  const deps: SyncDeps = { db, bus, logger, sources: syncSources([serviceTitanSource(clients)]) };
  const workers = runWorkers<FieldhandCatalog>({
    role: 'sync-test',
    queues: ['sync'],
    handlers: {
      'sync.plan': () => planSyncs(deps, { SYNC_INTERVAL_SECONDS: 300, SYNC_STALLED_AFTER_SECONDS: 600 }),
      'sync.start': (data) => startSync(deps, data),
      'sync.page': (data, ctx) => applyPage(deps, data, ctx),
      // GHL webhooks share the sync queue; these tests never send one.
      'ghl.webhook': () => Promise.reject(new UnrecoverableError('ghl.webhook is not run by the ServiceTitan sync tests')),
    },
    bus,
    db,
    connection: redis.connect('worker'),
    logger,
  });
  return { deps, bus, workers, close: async () => { await workers.close(5_000); await bus.close(); } };
}

/** Waits until no pass of the tenant is running. */
export async function waitForIdle(db: Database, tenantId: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await db.execute<{ running: number; total: number }>(
      sql`select count(*) filter (where run_id is not null)::int as running, count(*)::int as total from sync_state where tenant_id = ${tenantId}`,
    );
    if (rows[0]!.total > 0 && rows[0]!.running === 0) return;
    if (Date.now() > deadline) throw new Error(`sync of ${tenantId} still running after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The sandbox's resource name for a module ('customer-contacts' → 'customerContacts'). */
export function resourceOf(module: StModule): string {
  return module.name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Every record the sandbox serves for a module, read from its in-memory world. */
export function sandboxRecords(sandbox: Sandbox, stTenantId: number, module: StModule): Record<string, unknown>[] {
  const world = sandbox.accounts.stTenant(stTenantId)!.world;
  const resource = resourceOf(module) as Parameters<typeof world.get>[0];
  return Array.from({ length: world.count(resource) }, (_, i) => world.get(resource, i) as Record<string, unknown>);
}

/** A module's rows for a tenant, without the columns that differ between tenants and runs. */
export async function tableRows(db: Database, module: StModule, tenantId: string): Promise<Record<string, unknown>[]> {
  const table = getTableConfig(module.table).name;
  const { rows } = await db.execute<Record<string, unknown>>(sql`select * from ${sql.identifier(table)} where tenant_id = ${tenantId} order by id`);
  return rows.map(({ tenant_id: _t, synced_at: _s, ...rest }) => rest);
}

export { ST_MODULES };

export function stModule(name: string): StModule {
  const module = ST_MODULES.find((m) => m.name === name);
  if (!module) throw new Error(`no ServiceTitan module ${name}`);
  return module;
}
