import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findWorkflowRun, listWorkflowRuns, listWorkflowStepRuns, setWorkflowDefinitionEnabled, workflowEvents, workflowInstances, type Database } from '@fieldhand/db';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { domainEventSchema, jobCatalog, JobBus, runWorkers, UnrecoverableError, workflowStepJobId, type FieldhandCatalog } from '@fieldhand/queues';
import { createTestRedis, type TestRedis } from '@fieldhand/queues/testing';
import {
  ensureShippedDefinitions,
  fromDomainEvent,
  handleWorkflowEvent,
  reconcileRuns,
  replayRun,
  runStep,
  saveDefinition,
  type WorkflowDeps,
} from '../src/index.js';
import {
  addPhone,
  logger,
  createSmsTenant,
  emit,
  emitSms,
  estimateEvent,
  phoneOf,
  quickFollowUp,
  runTexts,
  seedCustomer,
  seedEstimate,
  setEstimateStatus,
  sleep,
  startWorkflowWorker,
  waitFor,
} from './support.js';

let t: TestDatabase;
let db: Database;
let redis: TestRedis;
let worker: ReturnType<typeof startWorkflowWorker>;
let tenantId: string;

beforeAll(async () => {
  t = await createTestDatabase();
  db = t.db;
  redis = createTestRedis();
  worker = startWorkflowWorker(db, redis);
  tenantId = await createSmsTenant(db);
  await saveDefinition(db, tenantId, quickFollowUp());
  await setWorkflowDefinitionEnabled(db, tenantId, 'quick-follow-up', true);
});
afterAll(async () => {
  await worker.close();
  await redis.cleanup();
  await t.drop();
});

async function runFor(estimateId: number) {
  const page = await listWorkflowRuns(db, { tenantId, subjectType: 'estimate', subjectId: String(estimateId), limit: 10 });
  return page.data.find((r) => r.replayOf === null);
}

async function startedRun(estimateId: number) {
  return waitFor(() => runFor(estimateId), 10_000, `a run for estimate ${estimateId}`);
}

describe('trigger → run → text', () => {
  it('starts one run for a qualifying estimate and its first step writes exactly one ledger message', async () => {
    const customer = await seedCustomer(db, tenantId, { name: 'Dana Smith' });
    const estimate = await seedEstimate(db, tenantId, customer, { subtotal: 2500 });
    const event = estimateEvent(tenantId, estimate, customer, 'estimate.created', 'Open');
    await emit(worker.bus, event);
    // The same event delivered again (sync re-read the page) under another job id.
    await worker.bus.enqueue('workflow.domain-event', event, { jobId: `evt-again-${event.eventId}` });

    const run = await startedRun(estimate);
    const [text] = await waitFor(async () => ((await runTexts(db, run.id)).length > 0 ? runTexts(db, run.id) : undefined), 10_000, 'first text');
    expect(text).toMatchObject({ to: await phoneOf(db, tenantId, customer), body: 'Hi Dana, about your New AC estimate from Acme HVAC', idempotencyKey: `wf:${run.id}:text-1` });
    await sleep(500);
    expect((await listWorkflowRuns(db, { tenantId, subjectType: 'estimate', subjectId: String(estimate), limit: 10 })).data).toHaveLength(1);
    expect(run.cancelKeys).toEqual(expect.arrayContaining([`estimate:${estimate}`, `phone:${text!.to}`, `customer:${customer}`]));

    // The step's job delivered again (at-least-once) does not act twice.
    expect(await runStep(worker.deps, { tenantId, runId: run.id, stepId: 'text-1' }, { finalAttempt: false })).toEqual({ outcome: 'skipped', reason: 'step already completed' });
    expect(await runTexts(db, run.id)).toHaveLength(1);

    // The wait wakes as a delayed job and the second text goes out once.
    await waitFor(async () => (await runTexts(db, run.id)).length === 2, 10_000, 'second text');
    const done = await waitFor(async () => ((await findWorkflowRun(db, tenantId, run.id))?.status === 'completed' ? findWorkflowRun(db, tenantId, run.id) : undefined), 10_000, 'run completed');
    expect(done!.finishedAt).not.toBeNull();
    const timeline = await listWorkflowStepRuns(db, run.id);
    expect(timeline.map((s) => [s.stepId, s.status])).toEqual([
      ['text-1', 'completed'],
      ['wait-1', 'completed'],
      ['text-2', 'completed'],
      ['done', 'completed'],
    ]);
    const wakeUp = timeline[2]!.startedAt!.getTime() - new Date(String(timeline[1]!.outcome!.until)).getTime();
    expect(wakeUp).toBeGreaterThanOrEqual(-50);
    expect(wakeUp).toBeLessThan(2_000);
  });

  it('starts no second run for the same estimate (re-entry: once) and says why', async () => {
    const customer = await seedCustomer(db, tenantId);
    const estimate = await seedEstimate(db, tenantId, customer);
    await emit(worker.bus, estimateEvent(tenantId, estimate, customer, 'estimate.created', 'Open'));
    const first = await startedRun(estimate);
    await emit(worker.bus, estimateEvent(tenantId, estimate, customer, 'estimate.created', 'Open', '-second'));
    const [row] = await waitFor(() => db.select().from(workflowEvents).where(eq(workflowEvents.eventId, `${tenantId}-estimate.created-${estimate}-second`)).then((r) => (r.length ? r : undefined)));
    expect(row!.evaluations).toContainEqual(expect.objectContaining({ definitionKey: 'quick-follow-up', matched: true, started: false, blockedBy: expect.objectContaining({ policy: 'once', runId: first.id }) }));
  });

  it('records the first failed condition and the value it saw for an event that starts nothing', async () => {
    const customer = await seedCustomer(db, tenantId);
    const estimate = await seedEstimate(db, tenantId, customer, { subtotal: 500 });
    await emit(worker.bus, estimateEvent(tenantId, estimate, customer, 'estimate.created', 'Open'));
    const [row] = await waitFor(() => db.select().from(workflowEvents).where(eq(workflowEvents.subjectId, String(estimate))).then((r) => (r.length ? r : undefined)));
    expect(row!.evaluations).toEqual([
      { definitionKey: 'quick-follow-up', version: 1, matched: false, subjectFound: true, failed: { where: 'trigger', field: 'estimateSubtotal', op: 'gte', expected: 1000, actual: 500 } },
    ]);
    expect(await runFor(estimate)).toBeUndefined();
  });
});

describe('stopping runs', () => {
  it('cancels with a reason when the estimate is sold, and sends nothing more', async () => {
    const customer = await seedCustomer(db, tenantId);
    const estimate = await seedEstimate(db, tenantId, customer);
    await emit(worker.bus, estimateEvent(tenantId, estimate, customer, 'estimate.created', 'Open'));
    const run = await startedRun(estimate);
    await waitFor(async () => (await runTexts(db, run.id)).length === 1, 10_000, 'first text');
    // The wait has begun: the second text's step is scheduled behind a delayed job.
    await waitFor(async () => (await listWorkflowStepRuns(db, run.id)).some((s) => s.stepId === 'text-2' && s.status === 'scheduled'), 10_000, 'text-2 scheduled');

    await setEstimateStatus(db, tenantId, estimate, 'Sold');
    await emit(worker.bus, estimateEvent(tenantId, estimate, customer, 'estimate.status_changed', 'Sold'));
    const cancelled = await waitFor(async () => {
      const r = await findWorkflowRun(db, tenantId, run.id);
      return r?.status === 'cancelled' ? r : undefined;
    });
    expect(cancelled.cancelReason).toMatch(/^estimate sold or dismissed \(estimate\.status_changed /);
    await sleep(2_600); // past the wait: the delayed job wakes, sees the run is over and does nothing
    expect(await runTexts(db, run.id)).toHaveLength(1);
    expect((await listWorkflowStepRuns(db, run.id)).find((s) => s.stepId === 'text-2')).toMatchObject({ status: 'cancelled', startedAt: null });
  });

  it.each([
    ['sms.replied', 'customer replied'],
    ['sms.opted_out', 'customer opted out'],
  ] as const)('stops on %s through the phone cancel key', async (type, reason) => {
    const customer = await seedCustomer(db, tenantId);
    const phone = await phoneOf(db, tenantId, customer);
    const estimate = await seedEstimate(db, tenantId, customer);
    await emit(worker.bus, estimateEvent(tenantId, estimate, customer, 'estimate.created', 'Open'));
    const run = await startedRun(estimate);
    await waitFor(async () => (await runTexts(db, run.id)).length === 1, 10_000, 'first text');
    await emitSms(worker.bus, tenantId, type, phone);
    const cancelled = await waitFor(async () => {
      const r = await findWorkflowRun(db, tenantId, run.id);
      return r?.status === 'cancelled' ? r : undefined;
    });
    expect(cancelled.cancelReason).toContain(reason);
    await sleep(2_600);
    expect(await runTexts(db, run.id)).toHaveLength(1);
  });
});

describe('reconciler', () => {
  it('re-enqueues a step whose job was removed from Redis, without texting twice', async () => {
    const customer = await seedCustomer(db, tenantId);
    const estimate = await seedEstimate(db, tenantId, customer);
    await emit(worker.bus, estimateEvent(tenantId, estimate, customer, 'estimate.created', 'Open'));
    const run = await startedRun(estimate);
    // The wait has run: text-2 is a delayed job.
    await waitFor(async () => (await findWorkflowRun(db, tenantId, run.id))?.currentStep === 'text-2', 10_000, 'waiting for text-2');
    const job = await waitFor(() => worker.bus.queue('workflow').getJob(workflowStepJobId(run.id, 'text-2')));
    await job.remove();

    expect(await reconcileRuns(worker.deps, { settleMs: 0 })).toMatchObject({ reenqueued: 1 });
    expect(await reconcileRuns(worker.deps, { settleMs: 0 })).toMatchObject({ reenqueued: 0 });
    await waitFor(async () => (await findWorkflowRun(db, tenantId, run.id))?.status === 'completed', 10_000, 'run completed');
    const texts = await runTexts(db, run.id);
    expect(texts.map((m) => m.idempotencyKey).sort()).toEqual([`wf:${run.id}:text-1`, `wf:${run.id}:text-2`]);
  });
});

describe('a step job that failed for good without marking its run', () => {
  it('is found by the reconciler, which fails the run so it can be replayed from that step', async () => {
    // Its own queue prefix, consumed by a worker whose step handler dies before the step's own
    // bookkeeping (as a job that stalled too often, or a database error outside the step, does).
    const own = createTestRedis();
    const bus = new JobBus(jobCatalog, own.connect('producer'), own.prefix);
    const deps: WorkflowDeps = { db, bus, logger };
    const deadTenant = await createSmsTenant(db, 'Dead Letter Roofing');
    await saveDefinition(db, deadTenant, quickFollowUp());
    await setWorkflowDefinitionEnabled(db, deadTenant, 'quick-follow-up', true);
    const customer = await seedCustomer(db, deadTenant);
    const estimate = await seedEstimate(db, deadTenant, customer);
    const workers = runWorkers<FieldhandCatalog>({
      role: 'dying-workflows',
      queues: ['workflow'],
      handlers: {
        'workflow.domain-event': () => Promise.resolve(),
        'workflow.sms-event': () => Promise.resolve(),
        'workflow.step': () => Promise.reject(new UnrecoverableError('job stalled more than allowable limit')),
      },
      bus,
      db,
      connection: own.connect('worker'),
      logger,
    });
    try {
      const { evaluations } = await handleWorkflowEvent(deps, fromDomainEvent(domainEventSchema.parse(estimateEvent(deadTenant, estimate, customer, 'estimate.created', 'Open'))));
      const runId = evaluations[0]!.runId!;
      const job = await waitFor(() => bus.queue('workflow').getJob(workflowStepJobId(runId, 'text-1')));
      await waitFor(() => job.isFailed().then((failed) => failed && bus.queue('workflow').getJob(job.id!).then((j) => j?.finishedOn)), 10_000, 'the step job failed');
      await workers.close(2_000);
      expect((await findWorkflowRun(db, deadTenant, runId))!.status).toBe('active');

      expect((await reconcileRuns(deps, { settleMs: 0 })).failed).toBeGreaterThanOrEqual(1);
      const failed = (await findWorkflowRun(db, deadTenant, runId))!;
      expect(failed).toMatchObject({ status: 'failed', error: expect.stringMatching(/^text-1: job failed after \d attempt\(s\): job stalled more than allowable limit/) });
      expect((await listWorkflowStepRuns(db, runId)).map((r) => [r.stepId, r.status])).toEqual([['text-1', 'failed']]);
      expect(await replayRun(deps, deadTenant, runId, { failedStep: true })).toMatchObject({ replayOf: runId, replayFromStep: 'text-1', status: 'active' });
    } finally {
      await workers.close(2_000);
      await bus.close();
      await own.cleanup();
    }
  });
});

describe('replay', () => {
  it('replays a failed run from its failed step and from the start, as new linked runs', async () => {
    const customer = await seedCustomer(db, tenantId, { phone: null });
    const estimate = await seedEstimate(db, tenantId, customer);
    await emit(worker.bus, estimateEvent(tenantId, estimate, customer, 'estimate.created', 'Open'));
    const run = await startedRun(estimate);
    const failed = await waitFor(async () => {
      const r = await findWorkflowRun(db, tenantId, run.id);
      return r?.status === 'failed' ? r : undefined;
    });
    expect(failed.error).toBe('text-1: the customer has no textable phone number');
    expect((await listWorkflowStepRuns(db, run.id)).map((s) => [s.stepId, s.status])).toEqual([['text-1', 'failed']]);

    await addPhone(db, tenantId, customer, '+15125550199');
    const fromFailed = await replayRun(worker.deps, tenantId, run.id, { failedStep: true });
    expect(fromFailed).toMatchObject({ replayOf: run.id, replayFromStep: 'text-1', definitionVersion: 1, phone: '+15125550199' });
    await waitFor(async () => (await findWorkflowRun(db, tenantId, fromFailed.id))?.status === 'completed', 15_000, 'replayed run completed');
    expect(await runTexts(db, fromFailed.id)).toHaveLength(2);

    const fromStart = await replayRun(worker.deps, tenantId, fromFailed.id, { step: 'wait-1' });
    expect(fromStart).toMatchObject({ replayOf: fromFailed.id, replayFromStep: 'wait-1' });
    await waitFor(async () => (await findWorkflowRun(db, tenantId, fromStart.id))?.status === 'completed', 15_000, 'second replay completed');
    expect((await runTexts(db, fromStart.id)).map((m) => m.idempotencyKey)).toEqual([`wf:${fromStart.id}:text-2`]);

    const again = await replayRun(worker.deps, tenantId, run.id);
    expect(again.replayFromStep).toBe('text-1');
    await expect(replayRun(worker.deps, tenantId, again.id)).rejects.toThrow(/still active/);
  });
});

describe('shipped definitions', () => {
  it('are available to every tenant, off until enabled, and the follow-up waits a day before its first text', async () => {
    const other = await createSmsTenant(db, 'Other Plumbing');
    await ensureShippedDefinitions(db, other);
    await ensureShippedDefinitions(db, other);
    const customer = await seedCustomer(db, other);
    const estimate = await seedEstimate(db, other, customer);
    await emit(worker.bus, estimateEvent(other, estimate, customer, 'estimate.created', 'Open'));
    await waitFor(() => db.select().from(workflowEvents).where(eq(workflowEvents.tenantId, other)).then((r) => (r.length ? r : undefined)));
    expect(await db.select().from(workflowInstances).where(eq(workflowInstances.tenantId, other))).toHaveLength(0);

    await setWorkflowDefinitionEnabled(db, other, 'estimate-follow-up', true);
    const second = await seedEstimate(db, other, customer);
    await emit(worker.bus, estimateEvent(other, second, customer, 'estimate.created', 'Open'));
    const [run] = await waitFor(async () => {
      const rows = await db.select().from(workflowInstances).where(eq(workflowInstances.tenantId, other));
      return rows[0]?.currentStep === 'text-day-1' ? rows : undefined;
    });
    const due = run!.nextStepAt!.getTime() - Date.now();
    expect(due).toBeGreaterThan(23 * 3_600_000);
    const job = await worker.bus.queue('workflow').getJob(workflowStepJobId(run!.id, 'text-day-1'));
    expect(await job?.getState()).toBe('delayed');
  });
});
