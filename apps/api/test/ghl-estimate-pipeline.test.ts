// The tenant's GHL estimate pipeline: checked against its synced pipelines (a 400 naming
// the bad id), kept across a token change, and a changed one pushes every estimate.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, expectErrorBody, startTestApi, tenantInput, type TestApi } from './support/test-api.js';

let api: TestApi;
let tenantId: string;
let ghl: { locationId: string; token: string };
const admin = { key: ADMIN_KEY };
const setting = { pipelineId: 'pipe-estimates', openStageId: 'stage-sent', soldStageId: 'stage-won', lostStageId: 'stage-lost' };

const patchGhl = (block: Record<string, unknown>) => api.request(`/api/v1/tenants/${tenantId}`, { method: 'PATCH', ...admin, body: { ghl: { ...ghl, ...block } } });
const pushJobs = async () => (await api.bus.queue('ghl-push').getJobs(['waiting', 'prioritized', 'delayed', 'active'])).filter((j) => j.name === 'ghl.push-estimates');

beforeAll(async () => {
  api = await startTestApi();
  const input = tenantInput('Pipeline HVAC');
  ghl = input.ghl;
  const res = await api.request('/api/v1/tenants', { method: 'POST', ...admin, body: input });
  tenantId = res.body.id;
  // The tenant's pipelines as the GHL sync stores them.
  const stages = JSON.stringify(['stage-new', 'stage-sent', 'stage-won', 'stage-lost'].map((id, position) => ({ id, name: id, position })));
  await api.db.execute(sql`insert into ghl_pipelines (tenant_id, id, modified_on, raw, name, stages) values (${tenantId}, 'pipe-estimates', now(), '{}'::jsonb, 'Estimates', ${stages}::jsonb)`);
  await api.db.execute(sql`insert into ghl_pipelines (tenant_id, id, modified_on, raw, name, stages) values (${tenantId}, 'pipe-other', now(), '{}'::jsonb, 'Other', '[{"id":"stage-x"}]'::jsonb)`);
});
afterAll(() => api.stop());

describe('ghl.estimatePipeline', () => {
  it('refuses a pipeline the tenant has not synced, naming it', async () => {
    const error = expectErrorBody(await patchGhl({ estimatePipeline: { ...setting, pipelineId: 'pipe-nope' } }), 400, 'validation_failed');
    expect(error.message).toContain('pipe-nope');
    expect(error.details).toEqual([expect.objectContaining({ path: 'ghl.estimatePipeline.pipelineId' })]);
  });

  it("refuses stages that are not the pipeline's, naming each", async () => {
    const error = expectErrorBody(await patchGhl({ estimatePipeline: { ...setting, soldStageId: 'stage-x', lostStageId: 'stage-gone' } }), 400, 'validation_failed');
    expect(error.message).toContain('stage-x');
    expect(error.message).toContain('stage-gone');
    expect(error.details).toEqual([expect.objectContaining({ path: 'ghl.estimatePipeline.soldStageId' }), expect.objectContaining({ path: 'ghl.estimatePipeline.lostStageId' })]);
  });

  it('refuses unknown fields and a missing open stage (the schema)', async () => {
    expectErrorBody(await patchGhl({ estimatePipeline: { pipelineId: 'pipe-estimates' } }), 400, 'validation_failed');
    expectErrorBody(await patchGhl({ estimatePipeline: { ...setting, wonStageId: 'stage-won' } }), 400, 'validation_failed');
  });

  it('refuses one on a tenant being created: nothing is synced for it yet', async () => {
    const input = tenantInput('New HVAC');
    const error = expectErrorBody(await api.request('/api/v1/tenants', { method: 'POST', ...admin, body: { ...input, ghl: { ...input.ghl, estimatePipeline: setting } } }), 400, 'validation_failed');
    expect(error.message).toContain('pipe-estimates');
  });

  it('saves a valid one, answers it without the token, and pushes every estimate once', async () => {
    expect(await pushJobs()).toEqual([]);
    const res = await patchGhl({ estimatePipeline: setting });
    expect(res.status).toBe(200);
    expect(res.body.ghl).toEqual({ locationId: ghl.locationId, configured: true, estimatePipeline: setting });
    expect(res.text).not.toContain(ghl.token);
    const { rows } = await api.db.execute<{ token: string; pipeline: unknown }>(sql`select ghl->>'token' as token, ghl->'estimatePipeline' as pipeline from tenants where id = ${tenantId}`);
    expect(rows[0]!.token).not.toContain(ghl.token);
    expect(rows[0]!.pipeline).toEqual(setting);
    const jobs = await pushJobs();
    expect(jobs.map((j) => j.data)).toEqual([expect.objectContaining({ tenantId })]);

    // The same setting again, or a new token without it: kept, nothing pushed again.
    expect((await patchGhl({ estimatePipeline: setting })).status).toBe(200);
    const rotated = await patchGhl({ token: 'ghl-token-rotated' });
    expect(rotated.body.ghl.estimatePipeline).toEqual(setting);
    expect(await pushJobs()).toHaveLength(1);

    // Another stage is a change: pushed again.
    expect((await patchGhl({ estimatePipeline: { ...setting, soldStageId: 'stage-new' } })).status).toBe(200);
    expect(await pushJobs()).toHaveLength(2);

    // null removes it.
    const removed = await patchGhl({ estimatePipeline: null });
    expect(removed.body.ghl.estimatePipeline).toBeNull();
  });
});
