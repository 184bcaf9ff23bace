import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inArray } from 'drizzle-orm';
import { cancelWorkflowRun, findWorkflowRun, listWorkflowRuns, outbox, setWorkflowDefinitionEnabled, type Database, type WorkflowRunRow } from '@fieldhand/db';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { EVENT_CATALOG } from '@fieldhand/events';
import { jobCatalog, JobBus } from '@fieldhand/queues';
import { createTestRedis, type TestRedis } from '@fieldhand/queues/testing';
import { cancelRun, fromDomainEvent, handleWorkflowEvent, replayRun, runStep, saveDefinition, type WorkflowDeps } from '../src/index.js';
import { failRun } from '../src/engine/fail-run.js';
import { changeRun } from '../src/engine/run-events.js';
import { createSmsTenant, estimateEvent, logger, phoneOf, quickFollowUp, seedCustomer, seedEstimate } from './support.js';

let t: TestDatabase;
let db: Database;
let redis: TestRedis;
let deps: WorkflowDeps;
let tenantId: string;

// No workflow worker: the engine is driven step by step, and the events jobs wait on their queue.
beforeAll(async () => {
  t = await createTestDatabase();
  db = t.db;
  redis = createTestRedis();
  deps = { db, bus: new JobBus(jobCatalog, redis.connect('producer'), redis.prefix), logger };
  tenantId = await createSmsTenant(db, 'Events Plumbing');
  await saveDefinition(db, tenantId, quickFollowUp('events-follow-up', 'PT1S'));
  await setWorkflowDefinitionEnabled(db, tenantId, 'events-follow-up', true);
});

afterAll(async () => {
  await deps.bus.close();
  await redis.cleanup();
  await t.drop();
});

async function startRunFor(): Promise<{ run: WorkflowRunRow; phone: string; estimate: number }> {
  const customer = await seedCustomer(db, tenantId);
  const estimate = await seedEstimate(db, tenantId, customer);
  await handleWorkflowEvent(deps, fromDomainEvent(domainEvent(estimateEvent(tenantId, estimate, customer, 'estimate.created', 'Open'))));
  const [run] = (await listWorkflowRuns(db, { tenantId, subjectType: 'estimate', subjectId: String(estimate), limit: 5 })).data;
  return { run: run!, phone: await phoneOf(db, tenantId, customer), estimate };
}

// As the worker hands it over: parsed by the job's schema.
const domainEvent = (event: ReturnType<typeof estimateEvent>) => jobCatalog['workflow.domain-event'].schema.parse(event);

const rowsOf = (runId: string) =>
  db.select().from(outbox).where(inArray(outbox.jobId, ['started', 'completed', 'cancelled', 'failed'].map((c) => `ev-run-${runId}-${c}`)));

async function published(runId: string, change: string) {
  const job = await deps.bus.queue('events').getJob(`ev-run-${runId}-${change}`);
  expect(job, `workflow_run.${change} of ${runId}`).toBeDefined();
  const envelope = job!.data as { id: string; type: string; tenantId: string; data: Record<string, unknown> };
  expect(envelope).toMatchObject({ id: `evt_run-${runId}-${change}`, type: `workflow_run.${change}`, tenantId });
  expect(EVENT_CATALOG['workflow_run.started'].data.safeParse(envelope.data).success).toBe(true);
  return envelope;
}

describe('workflow run events', () => {
  it('a run reports started when it is created and completed when its last step is done; repeats report nothing more', async () => {
    const { run, phone, estimate } = await startRunFor();
    expect(await published(run.id, 'started')).toMatchObject({ data: { runId: run.id, definitionKey: 'events-follow-up', subject: { type: 'estimate', id: String(estimate) }, phone } });

    // The triggering event delivered again finds the run it started: no second started event.
    const customerRun = await findWorkflowRun(db, tenantId, run.id);
    await handleWorkflowEvent(deps, fromDomainEvent(domainEvent(estimateEvent(tenantId, estimate, customerRun!.customerId!, 'estimate.created', 'Open'))));
    for (const stepId of ['text-1', 'wait-1', 'text-2']) {
      expect((await runStep(deps, { tenantId, runId: run.id, stepId }, { finalAttempt: false })).outcome).toBe('completed');
      expect((await rowsOf(run.id)).map((r) => r.payload.type)).toEqual(['workflow_run.started']);
    }
    expect(await runStep(deps, { tenantId, runId: run.id, stepId: 'done' }, { finalAttempt: false })).toMatchObject({ outcome: 'completed' });
    expect(await published(run.id, 'completed')).toMatchObject({ data: { runId: run.id, phone } });
    await runStep(deps, { tenantId, runId: run.id, stepId: 'done' }, { finalAttempt: false });
    expect((await rowsOf(run.id)).map((r) => r.payload.type).sort()).toEqual(['workflow_run.completed', 'workflow_run.started']);

    // A replay is a new run, and starts as one.
    const replay = await replayRun(deps, tenantId, run.id);
    await published(replay.id, 'started');
  });

  it('a cancel (an operator, or a stop condition) reports cancelled with its reason, once', async () => {
    const { run } = await startRunFor();
    expect(await cancelRun(deps, run.id, 'operator: customer called')).toBeDefined();
    expect(await cancelRun(deps, run.id, 'again')).toBeUndefined();
    expect(await published(run.id, 'cancelled')).toMatchObject({ data: { runId: run.id, reason: 'operator: customer called' } });
    expect((await rowsOf(run.id)).filter((r) => r.payload.type === 'workflow_run.cancelled')).toHaveLength(1);
  });

  it('a failed run reports failed with its step and error', async () => {
    const { run } = await startRunFor();
    await failRun(deps, run.id, 'text-1', 'Twilio refused the send');
    await failRun(deps, run.id, 'text-1', 'a second failure of a run already failed');
    expect(await published(run.id, 'failed')).toMatchObject({ data: { runId: run.id, reason: 'text-1: Twilio refused the send' } });
    expect((await rowsOf(run.id)).filter((r) => r.payload.type === 'workflow_run.failed')).toHaveLength(1);
  });

  it('a status change whose transaction rolls back reports nothing, and the run is as it was', async () => {
    const { run } = await startRunFor();
    await expect(
      changeRun(deps, async (tx) => {
        const cancelled = await cancelWorkflowRun(tx, run.id, 'rolled back');
        expect(cancelled).toBeDefined();
        throw new Error('failed after the cancel');
      }),
    ).rejects.toThrow('failed after the cancel');
    expect((await findWorkflowRun(db, tenantId, run.id))!.status).toBe('active');
    expect((await rowsOf(run.id)).map((r) => r.payload.type)).toEqual(['workflow_run.started']);
    expect(await deps.bus.queue('events').getJob(`ev-run-${run.id}-cancelled`)).toBeUndefined();
  });
});
