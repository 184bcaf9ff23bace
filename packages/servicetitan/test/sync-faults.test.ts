import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSyncRuns, findSyncState, recordedDeadLetters, startSyncPass, type Database } from '@fieldhand/db';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { createTestRedis, type TestRedis } from '@fieldhand/queues/testing';
import type { Job } from 'bullmq';
import type { RunningSandbox } from '../../../apps/sandbox/src/index.js';
import { applyPage, startSync } from '@fieldhand/sync';
import { createAccount, createStTenant, logger, ST_MODULES, startSandbox, startSyncWorker, tableRows, waitForIdle, type SyncHarness } from './harness.js';

const SPEC = { seed: 11, size: 80, anchor: '2025-06-01T00:00:00Z', servicetitan: { exportPageSize: 10 } };

// The published fault mix: 429s with and without Retry-After, 500s, broken bodies, tokens dying early.
const FAULTS = {
  seed: 5,
  rules: [
    { vendor: 'servicetitan', endpoint: '/servicetitan/api/**', kind: 'http-error', status: 429, probability: 0.1, retryAfterSeconds: 1 },
    { vendor: 'servicetitan', endpoint: '/servicetitan/api/**', kind: 'http-error', status: 429, probability: 0.1 },
    { vendor: 'servicetitan', endpoint: '/servicetitan/api/**', kind: 'http-error', status: 500, probability: 0.05 },
    { vendor: 'servicetitan', endpoint: '/servicetitan/api/**', kind: 'truncate', probability: 0.05 },
    { vendor: 'servicetitan', endpoint: '/servicetitan/api/**', kind: 'malformed', probability: 0.03 },
    { vendor: 'servicetitan', kind: 'token-expiry', probability: 0.05 },
  ],
} as const;

let t: TestDatabase;
let db: Database;
let redis: TestRedis;
let faultyRedis: TestRedis;
let clean: RunningSandbox;
let faulty: RunningSandbox;
let cleanWorker: SyncHarness;
let faultyWorker: SyncHarness;

beforeAll(async () => {
  t = await createTestDatabase();
  db = t.db;
  redis = createTestRedis();
  // Separate queues: each worker must only ever talk to its own sandbox.
  faultyRedis = createTestRedis();
  clean = (await startSandbox()).running;
  faulty = (await startSandbox({ faults: FAULTS as never })).running;
  cleanWorker = startSyncWorker(db, redis, clean);
  faultyWorker = startSyncWorker(db, faultyRedis, faulty);
});

afterAll(async () => {
  await cleanWorker?.close();
  await faultyWorker?.close();
  await clean?.close();
  await faulty?.close();
  await redis?.cleanup();
  await faultyRedis?.cleanup();
  await t?.drop();
});

describe('sync under vendor faults', { timeout: 120_000 }, () => {
  it('ends with tables identical to a fault-free sync of the same data', async () => {
    // Two sandboxes serve the same dataset (same seed, size, anchor); only one misbehaves.
    const cleanTenant = await createStTenant(db, await createAccount(clean, SPEC));
    const faultyTenant = await createStTenant(db, await createAccount(faulty, SPEC));
    // Each worker talks to its own sandbox, so only its tenant's passes are started on it.
    await startSync(cleanWorker.deps, { tenantId: cleanTenant, source: 'servicetitan', full: false });
    await waitForIdle(db, cleanTenant);
    await startSync(faultyWorker.deps, { tenantId: faultyTenant, source: 'servicetitan', full: false });
    await waitForIdle(db, faultyTenant, 110_000);

    const injected = ((await (await fetch(`${faulty.url}/_sandbox/faults`)).json()) as { injected: Array<{ ruleId: string; kind: string }> }).injected;
    const kinds = new Set(injected.map((f) => f.ruleId));
    expect([...kinds].sort()).toEqual(['rule-1', 'rule-2', 'rule-3', 'rule-4', 'rule-5', 'rule-6']);

    for (const module of ST_MODULES) {
      const expected = await tableRows(db, module, cleanTenant);
      expect(expected.length).toBeGreaterThan(0);
      expect(await tableRows(db, module, faultyTenant), module.name).toEqual(expected);
    }
  });

  it('a duplicate page job applies nothing twice', async () => {
    const account = await createAccount(clean, { ...SPEC, seed: 12 });
    const tenantId = await createStTenant(db, account);
    // Started without enqueueing, so the two deliveries below are the only ones.
    const pass = await startSyncPass(db, { tenantId, source: 'servicetitan', module: 'customers' }, { full: false });
    const data = { tenantId, source: 'servicetitan' as const, module: 'customers', runId: pass.runId, page: 0, correlationId: 'dup' };
    const ctx = { job: { attemptsMade: 0, opts: { attempts: 8 } } as never, logger, signal: new AbortController().signal };
    // Two deliveries of the same page job at once (BullMQ is at-least-once).
    const results = await Promise.all([applyPage(cleanWorker.deps, data, ctx), applyPage(cleanWorker.deps, data, ctx)]);
    expect(results.map((r) => r.status).sort()).toEqual(['applied', 'skipped']);
    const again = await applyPage(cleanWorker.deps, data, ctx);
    expect(again).toEqual({ status: 'skipped', reason: 'page already applied' });
    // The worker goes on with the next pages meanwhile: judge the pass once it is over.
    // Page 0 counted twice would show as 9 pages and 90 inserted.
    await waitForIdle(db, tenantId);
    expect(await tableRows(db, ST_MODULES.find((m) => m.name === 'customers')!, tenantId)).toHaveLength(80);
    const runs = await findSyncRuns(db, tenantId);
    expect(runs[0]).toMatchObject({ pages: 8, inserted: 80 });
  });

  it('a permanent vendor error fails the page job at once and ends the pass; so does an unknown source or module', async () => {
    const account = await createAccount(clean, { ...SPEC, seed: 13 });
    // ServiceTitan answers 403 for a tenant id the app is not connected to: retrying cannot help.
    const tenantId = await createStTenant(db, { ...account, tenantId: 999 });
    const [pass] = await startSync(cleanWorker.deps, { tenantId, source: 'servicetitan', modules: ['customers'], full: false });
    const forbidden = await failedJob(`sync-${pass!.runId}-0`);
    expect(forbidden.attemptsMade).toBe(1);
    expect(forbidden.failedReason).toMatch(/failed with 403/);
    expect(await findSyncState(db, { tenantId, source: 'servicetitan', module: 'customers' })).toMatchObject({ runId: null, lastError: expect.stringMatching(/403/) });
    expect(await recordedDeadLetters(db, 'sync', [forbidden.id!])).toEqual(new Set([`${forbidden.id}:1`]));

    for (const [source, module, reason] of [['nosuch', 'customers', /Unknown sync source nosuch/], ['servicetitan', 'nosuch', /Unknown servicetitan module nosuch/]] as const) {
      const jobId = await cleanWorker.bus.enqueue('sync.page', { tenantId, source, module, runId: pass!.runId, page: 0 }, { jobId: `unknown-${source}-${module}` });
      const job = await failedJob(jobId);
      expect(job.attemptsMade).toBe(1);
      expect(job.failedReason).toMatch(reason);
    }
  });
});

async function failedJob(jobId: string): Promise<Job> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const job = await cleanWorker.bus.queue('sync').getJob(jobId);
    if (job && (await job.isFailed())) return job;
    if (Date.now() > deadline) throw new Error(`job ${jobId} did not fail in time`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
