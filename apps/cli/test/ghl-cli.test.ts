import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant } from '@fieldhand/db';
import type { RunningSandbox } from '../../sandbox/src/index.js';
import { createGhlTenant, createLocation, startSandbox, startSyncWorker, type SyncHarness } from '../../../packages/ghl/test/harness.js';
import { useCliHarness } from './support/cli-harness.js';

const h = useCliHarness('ghl-cli-test');
const { cli } = h;

let sandbox: { close: () => Promise<void> } & RunningSandbox;
let worker: SyncHarness;
let tenantId: string;
let bare: string;

beforeAll(async () => {
  sandbox = (await startSandbox()).running;
  tenantId = await createGhlTenant(h.db, await createLocation(sandbox, { contacts: 30, opportunities: 10 }, 21));
  bare = (await createTenant(h.db, { name: 'Bare', timezone: 'UTC' })).id;
  worker = startSyncWorker(h.db, h.redis, sandbox);
});
afterAll(async () => {
  await worker.close();
  await sandbox.close();
});

describe('fieldhand ghl and sync --source ghl', () => {
  it('says there is nothing yet before a sync, then syncs with one plain progress line per module change (no TTY) and lists the pipelines', async () => {
    const before = await cli(['ghl', 'pipelines', tenantId]);
    expect(before.code, before.err.join('\n')).toBe(0);
    expect(before.out).toEqual(['no pipelines synced yet; run `fieldhand sync start <tenantId> --source ghl --wait`']);

    const synced = await cli(['sync', 'start', tenantId, '--source', 'ghl', '--wait', '--poll', '100']);
    expect(synced.code, synced.err.join('\n')).toBe(0);
    expect(synced.out[0]).toMatch(/^ghl sync started \(job .+\) for .*contacts/);
    for (const module of ['contacts', 'opportunities', 'pipelines']) expect(synced.out).toContainEqual(expect.stringMatching(new RegExp(`^ghl/${module}: done · \\d+ records$`)));
    expect(synced.out).toContainEqual('ghl/contacts: done · 30 records');
    expect(synced.out.at(-1)).toBe('sync finished');

    const listed = await cli(['ghl', 'pipelines', tenantId]);
    expect(listed.code).toBe(0);
    expect(listed.out[0]).toMatch(/^id\s+name\s+stages\s+syncedAt\s*$/);
    expect(listed.out[1]).toContain('Estimates');
    expect(listed.out[1]).toContain('New Lead → Estimate Sent → Follow-up → Won → Lost');
    const json = await cli(['ghl', 'pipelines', tenantId, '--json']);
    expect(json.out.map((l) => (JSON.parse(l) as { name: string; stages: unknown[] }).stages.length)).toEqual([5]);
  });

  it('fails for a tenant without a GHL location', async () => {
    const result = await cli(['ghl', 'pipelines', bare]);
    expect(result.code).toBe(1);
    expect(result.err[0]).toContain('has no GHL location');
  });
});
