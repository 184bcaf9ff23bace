import {
  cancelWorkflowStep,
  claimWorkflowStep,
  completeWorkflowStep,
  findTenant,
  findWorkflowDefinitionById,
  findWorkflowRun,
  findWorkflowStepRun,
} from '@fieldhand/db';
import type { Step } from '../definition/definition-schema.js';
import { documentOf } from '../definition/stored-definitions.js';
import { stepKindOf } from '../steps/index.js';
import type { StepResult } from '../steps/step-kind.js';
import { asSubjectType, loadSubject } from '../subjects/load-subject.js';
import { nowOf, type WorkflowDeps } from '../workflow-deps.js';
import { cancelRun } from './cancel-run.js';
import { enqueueStep } from './enqueue-step.js';
import { failRun } from './fail-run.js';
import { changeRun, runEvent } from './run-events.js';

export type StepJob = { tenantId: string; runId: string; stepId: string };
export type StepJobResult = { outcome: 'skipped'; reason: string } | { outcome: 'completed' | 'failed' | 'cancelled'; next?: string | null };

/**
 * Runs one step of one run. Payloads carry ids only: the run, its pinned
 * definition version and the subject are read again here, and a job that wakes
 * after its run was cancelled does nothing.
 */
export async function runStep(deps: WorkflowDeps, job: StepJob, options: { finalAttempt: boolean }): Promise<StepJobResult> {
  const run = await findWorkflowRun(deps.db, job.tenantId, job.runId);
  if (!run) return { outcome: 'skipped', reason: 'no such run' };
  const stepRun = await findWorkflowStepRun(deps.db, run.id, job.stepId);
  if (!stepRun) return { outcome: 'skipped', reason: 'step not scheduled for this run' };
  if (stepRun.status === 'completed') {
    // Done before, but the next step's enqueue may have been lost: make sure it exists.
    await ensureNextEnqueued(deps, run.id, run.tenantId);
    return { outcome: 'skipped', reason: 'step already completed' };
  }
  if (run.status !== 'active') return { outcome: 'skipped', reason: `run is ${run.status}` };
  if (stepRun.status !== 'scheduled' && stepRun.status !== 'running') return { outcome: 'skipped', reason: `step is ${stepRun.status}` };

  const definition = await findWorkflowDefinitionById(deps.db, run.definitionId);
  const step = definition ? documentOf(definition).steps.find((s) => s.id === job.stepId) : undefined;
  const tenant = await findTenant(deps.db, run.tenantId);
  if (!definition || !step || !tenant) {
    await failRun(deps, run.id, job.stepId, 'definition, step or tenant no longer exists');
    return { outcome: 'failed' };
  }

  const now = nowOf(deps);
  if (!(await claimWorkflowStep(deps.db, stepRun, now))) return { outcome: 'skipped', reason: 'step claimed elsewhere' };

  let result: StepResult;
  try {
    const subject = await loadSubject(deps.db, run.tenantId, asSubjectType(run.subjectType), run.subjectId);
    result = await stepKindOf(step).execute({ deps, tenant, run, step, subject, now, first: step.id === documentOf(definition).start });
  } catch (error) {
    if (options.finalAttempt) await failRun(deps, run.id, step.id, error instanceof Error ? error.message : String(error));
    throw error;
  }
  return finishStep(deps, run.id, run.tenantId, step, documentOf(definition).steps, result, now);
}

async function finishStep(deps: WorkflowDeps, runId: string, tenantId: string, step: Step, steps: Step[], result: StepResult, now: Date): Promise<StepJobResult> {
  if (result.kind === 'fail') {
    await failRun(deps, runId, step.id, result.error);
    return { outcome: 'failed' };
  }
  if (result.kind === 'cancel') {
    await cancelRun(deps, runId, result.reason);
    await cancelWorkflowStep(deps.db, runId, step.id, result.reason, now);
    return { outcome: 'cancelled' };
  }
  const next = result.next ? steps.find((s) => s.id === result.next) : undefined;
  await changeRun(deps, async (tx) => {
    const moved = await completeWorkflowStep(
      tx,
      { tenantId, runId, stepId: step.id, outcome: { ...result.outcome, next: result.next }, now },
      next ? { stepId: next.id, stepType: next.type, dueAt: result.dueAt ?? now } : null,
    );
    // The last step done: the run is completed, and says so in the same transaction.
    return { value: undefined, events: moved?.status === 'completed' ? [runEvent(moved, 'completed')] : [] };
  });
  await ensureNextEnqueued(deps, runId, tenantId);
  return { outcome: 'completed', next: result.next };
}

/** Enqueues the run's current step if the run is active and that step is still scheduled. */
async function ensureNextEnqueued(deps: WorkflowDeps, runId: string, tenantId: string): Promise<void> {
  const run = await findWorkflowRun(deps.db, tenantId, runId);
  if (!run || run.status !== 'active' || !run.currentStep) return;
  const stepRun = await findWorkflowStepRun(deps.db, run.id, run.currentStep);
  if (!stepRun || (stepRun.status !== 'scheduled' && stepRun.status !== 'running')) return;
  await enqueueStep(deps, { tenantId, runId, stepId: stepRun.stepId, dueAt: stepRun.dueAt });
}
