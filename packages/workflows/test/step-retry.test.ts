import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTenant, findWorkflowRun, listWorkflowStepRuns, setWorkflowDefinitionEnabled, workflowInstances, workflowStepRuns, type Database } from '@fieldhand/db';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { createTestRedis, type TestRedis } from '@fieldhand/queues/testing';
import { loadSubject, runStep, saveDefinition, type Step } from '../src/index.js';
import { sendSmsStep } from '../src/steps/send-sms.step.js';
import { createSmsTenant, emit, estimateEvent, quickFollowUp, runTexts, seedCustomer, seedEstimate, startWorkflowWorker, waitFor } from './support.js';

let t: TestDatabase;
let db: Database;
let redis: TestRedis;
let worker: ReturnType<typeof startWorkflowWorker>;

beforeAll(async () => {
  t = await createTestDatabase();
  db = t.db;
  redis = createTestRedis();
  worker = startWorkflowWorker(db, redis);
});
afterAll(async () => {
  await worker.close();
  await redis.cleanup();
  await t.drop();
});

/** A tenant of its own with one run waiting a minute before `text-2`, its only text. */
async function runBeforeText2(tenantName: string) {
  const tenant = await createSmsTenant(db, tenantName);
  const def = quickFollowUp('slow-follow-up');
  await saveDefinition(db, tenant, { ...def, start: 'wait-1', steps: [{ id: 'wait-1', type: 'wait', duration: 'PT60S', next: 'text-2' }, ...def.steps.slice(2)] });
  await setWorkflowDefinitionEnabled(db, tenant, 'slow-follow-up', true);
  const customer = await seedCustomer(db, tenant);
  const estimate = await seedEstimate(db, tenant, customer);
  await emit(worker.bus, estimateEvent(tenant, estimate, customer, 'estimate.created', 'Open'));
  const [run] = await waitFor(async () => {
    const rows = await db.select().from(workflowInstances).where(eq(workflowInstances.tenantId, tenant));
    return rows[0]?.currentStep === 'text-2' ? rows : undefined;
  });
  return { tenantId: tenant, run: (await findWorkflowRun(db, tenant, run!.id))!, text2: def.steps.find((st) => st.id === 'text-2') as Extract<Step, { type: 'send_sms' }> };
}

describe('a step retried after a crash between its text and its bookkeeping', () => {
  it('finds the ledger row by its run + step key and does not text again', async () => {
    const { tenantId: crashTenant, run } = await runBeforeText2('Crash Electric');
    // Run the due-in-a-minute step now, then put the rows back as a worker killed mid-step leaves them.
    await runStep(worker.deps, { tenantId: crashTenant, runId: run.id, stepId: 'text-2' }, { finalAttempt: false });
    expect(await runTexts(db, run.id)).toHaveLength(1);
    await db.update(workflowStepRuns).set({ status: 'running', outcome: null }).where(eq(workflowStepRuns.instanceId, run.id));
    await db.update(workflowStepRuns).set({ status: 'completed' }).where(eq(workflowStepRuns.stepId, 'wait-1'));
    await db.update(workflowInstances).set({ status: 'active', currentStep: 'text-2', finishedAt: null }).where(eq(workflowInstances.id, run.id));
    await db.delete(workflowStepRuns).where(eq(workflowStepRuns.stepId, 'done'));

    expect(await runStep(worker.deps, { tenantId: crashTenant, runId: run.id, stepId: 'text-2' }, { finalAttempt: false })).toEqual({ outcome: 'completed', next: 'done' });
    const texts = await runTexts(db, run.id);
    expect(texts).toHaveLength(1);
    expect((await listWorkflowStepRuns(db, run.id)).find((s) => s.stepId === 'text-2')!.outcome).toMatchObject({ messageId: texts[0]!.id, created: false });
  });

  it('run twice at once, the twin that finds the run completed leaves its text queued', async () => {
    // BullMQ ran the step's job twice at once (a missed lock renewal): one half finishes the run,
    // the other got past runStep's checks first and then sees it completed. Only a stop cancels texts.
    const { tenantId: twinTenant, run, text2: step } = await runBeforeText2('Twin Plumbing');
    // The twin that finishes the run.
    await runStep(worker.deps, { tenantId: twinTenant, runId: run.id, stepId: 'text-2' }, { finalAttempt: false });
    await waitFor(async () => (await findWorkflowRun(db, twinTenant, run.id))?.status === 'completed', 10_000, 'run completed');

    // The other twin, holding the run as it was when its checks passed.
    const tenant = (await findTenant(db, twinTenant))!;
    const subject = await loadSubject(db, twinTenant, 'estimate', run.subjectId);
    const result = await sendSmsStep.execute({ deps: worker.deps, tenant, run, step, subject, now: new Date(), first: false });
    expect(result).toMatchObject({ kind: 'next', outcome: { created: false } });
    const texts = await runTexts(db, run.id);
    expect(texts).toHaveLength(1);
    expect(texts[0]!.status).toBe('queued');
  });
});
