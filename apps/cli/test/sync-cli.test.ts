import { beforeAll, describe, expect, it } from 'vitest';
import { createTenant } from '@fieldhand/db';
import { useCliHarness } from './support/cli-harness.js';

const h = useCliHarness('sync-cli-test');
const { cli } = h;

let synced: string;
let bare: string;

beforeAll(async () => {
  synced = (await createTenant(h.db, { name: 'Synced', timezone: 'UTC', servicetitan: { tenantId: '1', clientId: 'cid', clientSecret: 'secret', appKey: 'key' } })).id;
  bare = (await createTenant(h.db, { name: 'Bare', timezone: 'UTC' })).id;
});

describe('fieldhand sync', () => {
  it('starts every source the tenant is set up for when no --source is given', async () => {
    const result = await cli(['sync', 'start', synced, '--modules', 'estimates']);
    expect(result.code, result.err.join('\n')).toBe(0);
    expect(result.out[0]).toMatch(/^servicetitan sync started \(job .+\) for estimates$/);
    const [job] = await h.bus.queue('sync').getJobs(['waiting']);
    expect(job?.data).toMatchObject({ tenantId: synced, source: 'servicetitan', modules: ['estimates'] });
  });

  it('passes --source to the API, which refuses one that is not registered', async () => {
    const result = await cli(['sync', 'start', synced, '--source', 'nosuch']);
    expect(result.code).toBe(1);
    expect(result.err[0]).toMatch(/400 validation_failed/);
  });

  it('fails for a tenant set up for no source', async () => {
    const result = await cli(['sync', 'start', bare]);
    expect(result.code).toBe(1);
    expect(result.err[0]).toContain('set up for no sync source');
  });

  it('shows the status of each module with its source', async () => {
    const result = await cli(['sync', 'status', synced, '--source', 'servicetitan', '--json']);
    expect(result.code).toBe(0);
    const rows = result.out.map((l) => JSON.parse(l) as { source: string; module: string });
    expect(rows.map((r) => r.module)).toContain('estimates');
    expect(rows.every((r) => r.source === 'servicetitan')).toBe(true);
  });
});
