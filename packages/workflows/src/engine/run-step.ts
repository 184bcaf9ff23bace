import { and, eq, inArray } from 'drizzle-orm';
import { findTenant, workflowInstances, workflowStepRuns } from '@fieldhand/db';
import type { Step } from '../definition/definition-schema.js';
import { STEP_EXECUTORS } from '../steps/index.js';
import type { StepExecutor, StepResult } from '../steps/step-executor.js';
import { documentOf, findDefinitionById } from '../store/definitions.js';
import { cancelRun, failRun, findRun, findStepRun } from '../store/runs.js';
import { loadSubject } from '../subjects/load-subject.js';
import type { SubjectType } from '../definition/variables.js';
import { nowOf, type WorkflowDeps } from '../workflow-deps.js';
import { enqueueStep } from './enqueue-step.js';

export type StepJob = { tenantId: string; runId: string; stepId: string };
export type StepJobResult = { outcome: 'skipped'; reason: string } | { outcome: 'completed' | 'failed' | 'cancelled'; next?: string | null };

/**
 * Runs one step of one run. Payloads carry ids only: the run, its pinned
 * definition version and the subject are read again here, and a job that wakes
 * after its run was cancelled does nothing.
 */
export async function runStep(deps: WorkflowDeps, job: StepJob, options: { finalAttempt: boolean }): Promise<StepJobResult> {
  const run = await findRun(deps.db, job.tenantId, job.runId);
  if (!run) return { outcome: 'skipped', reason: 'no such run' };
  const stepRun = await findStepRun(deps.db, run.id, job.stepId);
  if (!stepRun) return { outcome: 'skipped', reason: 'step not scheduled for this run' };
  if (stepRun.status === 'completed') {
    // Done before, but the next step's enqueue may have been lost: make sure it exists.
    await ensureNextEnqueued(deps, run.id, run.tenantId);
    return { outcome: 'skipped', reason: 'step already completed' };
  }
  if (run.status !== 'active') return { outcome: 'skipped', reason: `run is ${run.status}` };
  if (stepRun.status !== 'scheduled' && stepRun.status !== 'running') return { outcome: 'skipped', reason: `step is ${stepRun.status}` };

  const definition = await findDefinitionById(deps.db, run.definitionId);
  const step = definition ? documentOf(definition).steps.find((s) => s.id === job.stepId) : undefined;
  const tenant = await findTenant(deps.db, run.tenantId);
  if (!definition || !step || !tenant) {
    await failRun(deps.db, run.id, job.stepId, 'definition, step or tenant no longer exists');
    return { outcome: 'failed' };
  }

  // Claim: only a scheduled or running (a retry after a crash) step may run.
  const now = nowOf(deps);
  const [claimed] = await deps.db
    .update(workflowStepRuns)
    .set({ status: 'running', attempts: stepRun.attempts + 1, startedAt: stepRun.startedAt ?? now })
    .where(and(eq(workflowStepRuns.id, stepRun.id), inArray(workflowStepRuns.status, ['scheduled', 'running'])))
    .returning();
  if (!claimed) return { outcome: 'skipped', reason: 'step claimed elsewhere' };

  let result: StepResult;
  try {
    const subject = await loadSubject(deps.db, run.tenantId, run.subjectType as SubjectType, run.subjectId);
    const execute = STEP_EXECUTORS[step.type] as StepExecutor;
    result = await execute({ deps, tenant, run, step, subject, now, first: step.id === documentOf(definition).start });
  } catch (error) {
    if (options.finalAttempt) await failRun(deps.db, run.id, step.id, error instanceof Error ? error.message : String(error));
    throw error;
  }
  return finishStep(deps, run.id, run.tenantId, step, documentOf(definition).steps, result, now);
}

async function finishStep(deps: WorkflowDeps, runId: string, tenantId: string, step: Step, steps: Step[], result: StepResult, now: Date): Promise<StepJobResult> {
  if (result.kind === 'fail') {
    await failRun(deps.db, runId, step.id, result.error);
    return { outcome: 'failed' };
  }
  if (result.kind === 'cancel') {
    await cancelRun(deps.db, runId, result.reason);
    await deps.db.update(workflowStepRuns).set({ status: 'cancelled', error: result.reason, finishedAt: now }).where(and(eq(workflowStepRuns.instanceId, runId), eq(workflowStepRuns.stepId, step.id)));
    return { outcome: 'cancelled' };
  }
  const next = result.next ? steps.find((s) => s.id === result.next) : undefined;
  const dueAt = result.dueAt ?? now;
  await deps.db.transaction(async (tx) => {
    await tx
      .update(workflowStepRuns)
      .set({ status: 'completed', outcome: { ...result.outcome, next: result.next }, finishedAt: now })
      .where(and(eq(workflowStepRuns.instanceId, runId), eq(workflowStepRuns.stepId, step.id), eq(workflowStepRuns.status, 'running')));
    // Only a run that is still active moves on; a stop that landed meanwhile wins.
    const [moved] = await tx
      .update(workflowInstances)
      .set(next ? { currentStep: next.id, nextStepAt: dueAt, updatedAt: now } : { status: 'completed', currentStep: null, nextStepAt: null, finishedAt: now, updatedAt: now })
      .where(and(eq(workflowInstances.id, runId), eq(workflowInstances.status, 'active'), eq(workflowInstances.currentStep, step.id)))
      .returning({ id: workflowInstances.id });
    if (moved && next) {
      await tx.insert(workflowStepRuns).values({ tenantId, instanceId: runId, stepId: next.id, stepType: next.type, status: 'scheduled', dueAt }).onConflictDoNothing();
    }
  });
  await ensureNextEnqueued(deps, runId, tenantId);
  return { outcome: 'completed', next: result.next };
}

/** Enqueues the run's current step if the run is active and that step is still scheduled. */
export async function ensureNextEnqueued(deps: WorkflowDeps, runId: string, tenantId: string): Promise<void> {
  const run = await findRun(deps.db, tenantId, runId);
  if (!run || run.status !== 'active' || !run.currentStep) return;
  const stepRun = await findStepRun(deps.db, run.id, run.currentStep);
  if (!stepRun || (stepRun.status !== 'scheduled' && stepRun.status !== 'running')) return;
  await enqueueStep(deps, { tenantId, runId, stepId: stepRun.stepId, dueAt: stepRun.dueAt });
}
