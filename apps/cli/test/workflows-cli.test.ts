import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTenant } from '@fieldhand/db';
import { SHIPPED_WORKFLOWS } from '@fieldhand/workflows';
import { useCliHarness } from './support/cli-harness.js';

const h = useCliHarness('workflows-cli-test');
const { cli } = h;

let tenantId: string;

beforeAll(async () => {
  tenantId = (await createTenant(h.db, { name: 'CLI HVAC', timezone: 'America/Chicago' })).id;
});

describe('fieldhand workflows / runs', () => {
  it('lists, saves a version, enables and shows definitions; lists runs', async () => {
    const listed = await cli(['workflows', 'list', tenantId, '--json']);
    expect(listed.code).toBe(0);
    expect(listed.out.map((l) => JSON.parse(l) as { key: string }).map((d) => d.key)).toContain('estimate-follow-up');

    const file = join(tmpdir(), `wf-${process.pid}.json`);
    await writeFile(file, JSON.stringify({ ...SHIPPED_WORKFLOWS[0], key: 'my-follow-up' }));
    expect((await cli(['workflows', 'save', tenantId, file])).out).toEqual(['my-follow-up version 1 saved']);
    expect((await cli(['workflows', 'enable', tenantId, 'my-follow-up'])).out).toEqual(['my-follow-up enabled (version 1)']);
    const shown = await cli(['workflows', 'show', tenantId, 'my-follow-up']);
    expect(JSON.parse(shown.out.join('\n'))).toMatchObject({ key: 'my-follow-up', enabled: true, versions: [1] });

    const runs = await cli(['runs', 'list', tenantId, '--json']);
    expect(runs).toMatchObject({ code: 0, out: [] });
    const missing = await cli(['runs', 'show', tenantId, '00000000-0000-4000-8000-000000000000']);
    expect(missing.code).not.toBe(0);
  });
});
