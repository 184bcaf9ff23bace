import { describe, expect, it } from 'vitest';
import { recordDeadLetter } from '@fieldhand/db';
import { useCliHarness } from './support/cli-harness.js';

const h = useCliHarness('cli-test');
const { cli } = h;

describe('fieldhand CLI', () => {
  it('creates and lists tenants through the API', async () => {
    const created = await cli(['tenants', 'create', 'CLI Plumbing', '--timezone', 'America/Denver']);
    expect(created.code).toBe(0);
    const id = created.out[0]!;
    const listed = await cli(['tenants', 'list', '--json']);
    expect(listed.out.map((l) => JSON.parse(l) as { id: string; name: string })).toContainEqual(expect.objectContaining({ id, name: 'CLI Plumbing' }));
  });

  it('lists and replays dead letters', async () => {
    const row = await recordDeadLetter(h.db, { queue: 'maintenance', jobName: 'maintenance.probe', jobId: 'cli-1', data: { tenantId: null, probeId: 'cli' }, attempts: 3, error: 'boom' });
    const listed = await cli(['dead-letters', 'list', '--queue', 'maintenance']);
    expect(listed.out.join('\n')).toContain(row!.id);
    const replayed = await cli(['dead-letters', 'replay', row!.id]);
    expect(replayed.out[0]).toContain(`replay-${row!.id}`);
    expect(await h.bus.queue('maintenance').getJob(`replay-${row!.id}`)).toBeDefined();
  });

  it('fails with the API error and a non-zero code for a bad key', async () => {
    const result = await cli(['tenants', 'list'], { FIELDHAND_API_KEY: 'fh_wrongwrongwr_nope' });
    expect(result.code).toBe(77);
    expect(result.err[0]).toMatch(/401/);
  });

  it('says which variable to set when there is no key at all', async () => {
    const result = await cli(['tenants', 'list'], {});
    expect(result.code).toBe(77);
    expect(result.err[0]).toContain('FIELDHAND_API_KEY');
  });
});
