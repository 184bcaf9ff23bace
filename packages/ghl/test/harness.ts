import { sql } from 'drizzle-orm';
import { getTableConfig } from 'drizzle-orm/pg-core';
import { createSandbox, type RunningSandbox, type Sandbox } from '../../../apps/sandbox/src/index.js';
import { createTenant, findTenant, type Database } from '@fieldhand/db';
import { createLogger } from '@fieldhand/observability';
import { jobCatalog, JobBus, runWorkers, UnrecoverableError, type FieldhandCatalog, type HandlerMap, type RunningWorkers } from '@fieldhand/queues';
import type { TestRedis } from '@fieldhand/queues/testing';
import { applyPage, planSyncs, startSync, syncSources, type SyncDeps } from '@fieldhand/sync';
import { createGhlHttp, GhlClient, GhlNotConfiguredError, ghlSource, type GhlLocation, type GhlModule, type GhlSourceOptions } from '../src/index.js';

export const logger = createLogger({ name: 'ghl-test', level: 'silent' });

export async function startSandbox(): Promise<{ sandbox: Sandbox; running: RunningSandbox }> {
  const sandbox = createSandbox({ logLevel: 'silent' });
  return { sandbox, running: await sandbox.listen(0) };
}

/** An isolated GHL location on the sandbox, made through its control API. */
export async function createLocation(running: RunningSandbox, ghl: { contacts: number; opportunities?: number }, seed = 5): Promise<GhlLocation> {
  const response = await fetch(`${running.url}/_sandbox/accounts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seed, size: 1, ghl }) });
  if (response.status !== 201) throw new Error(`sandbox account: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { ghl: GhlLocation }).ghl;
}

export async function createGhlTenant(db: Database, location: GhlLocation): Promise<string> {
  const tenant = await createTenant(db, { name: `ghl-${location.locationId}`, timezone: 'America/Chicago', ghl: { locationId: location.locationId, token: location.token } });
  return tenant.id;
}

/** Every request the sync's GHL clients sent, as `METHOD path`. */
export type RequestLog = string[];

export type SyncHarness = { deps: SyncDeps; bus: JobBus<FieldhandCatalog>; workers: RunningWorkers; requests: RequestLog; client: (location: GhlLocation) => GhlClient; close: () => Promise<void> };

/** A real sync worker (BullMQ, PostgreSQL, the sandbox over HTTP) like the sync role runs, with GHL as its source. */
export function startSyncWorker(db: Database, redis: TestRedis, running: RunningSandbox, options: GhlSourceOptions = {}): SyncHarness {
  const bus = new JobBus(jobCatalog, redis.connect('producer'), redis.prefix);
  const http = createGhlHttp(10_000);
  const requests: RequestLog = [];
  http.interceptors.request.use((request) => {
    requests.push(`${String(request.method).toUpperCase()} ${new URL(String(request.url)).pathname.replace(/^\/ghl/, '')}`);
    return request;
  });
  const apiUrl = running.env.GHL_API_URL!;
  const client = (location: GhlLocation) => new GhlClient(location, { apiUrl, http, retry: { baseDelayMs: 20, maxDelayMs: 200 } });
  // As createGhlClientFactory does, with an HTTP client whose requests the tests count.
  const clients = async (tenantId: string) => {
    const tenant = await findTenant(db, tenantId);
    if (!tenant?.ghl) throw new GhlNotConfiguredError(tenantId);
    return client({ locationId: tenant.ghl.locationId, token: tenant.ghl.token });
  };
  const deps: SyncDeps = { db, bus, logger, sources: syncSources([ghlSource(clients, options)]) };
  // Other jobs of the sync queue (GHL webhooks) are not what these tests drive.
  const others = Object.fromEntries(
    Object.entries(jobCatalog)
      .filter(([name, def]) => def.queue === 'sync' && !name.startsWith('sync.'))
      .map(([name]) => [name, () => Promise.reject(new UnrecoverableError(`${name} is not run by the GHL sync tests`))]),
  ) as HandlerMap<FieldhandCatalog>;
  const workers = runWorkers<FieldhandCatalog>({
    role: 'ghl-sync-test',
    queues: ['sync'],
    handlers: {
      ...others,
      'sync.plan': () => planSyncs(deps, { SYNC_INTERVAL_SECONDS: 300, SYNC_STALLED_AFTER_SECONDS: 600 }),
      'sync.start': (data) => startSync(deps, data),
      'sync.page': (data, ctx) => applyPage(deps, data, ctx),
    },
    bus,
    db,
    connection: redis.connect('worker'),
    logger,
  });
  return { deps, bus, workers, requests, client, close: async () => { await workers.close(5_000); await bus.close(); } };
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

/** A module's rows for a tenant, without the columns that differ between tenants and runs. */
export async function tableRows(db: Database, module: GhlModule, tenantId: string): Promise<Record<string, unknown>[]> {
  const table = getTableConfig(module.table).name;
  const { rows } = await db.execute<Record<string, unknown>>(sql`select * from ${sql.identifier(table)} where tenant_id = ${tenantId} order by id collate "C"`);
  return rows.map(({ tenant_id: _t, synced_at: _s, ...rest }) => rest);
}

/** Column values as text-comparable values: timestamps as ISO, numbers as numbers. */
export function normalise(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\d[ T]\d\d:/.test(value)) return new Date(value).toISOString();
  if (typeof value === 'number' || (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value))) return Number(value);
  return value;
}

export const byId = (a: Record<string, unknown>, b: Record<string, unknown>) => (String(a.id) < String(b.id) ? -1 : String(a.id) > String(b.id) ? 1 : 0);
