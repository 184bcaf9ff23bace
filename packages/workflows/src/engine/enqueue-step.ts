import { workflowStepJobId } from '@fieldhand/queues';
import type { WorkflowDeps } from '../workflow-deps.js';
import { nowOf } from '../workflow-deps.js';

/**
 * Adds a step's job, delayed until it is due. The job id is fixed per run and
 * step, so a repeat (retry, reconciler) while the job exists adds nothing.
 */
export async function enqueueStep(deps: WorkflowDeps, step: { tenantId: string; runId: string; stepId: string; dueAt: Date; priority?: number }): Promise<void> {
  const delay = Math.max(0, step.dueAt.getTime() - nowOf(deps).getTime());
  await deps.bus.enqueue(
    'workflow.step',
    { tenantId: step.tenantId, runId: step.runId, stepId: step.stepId },
    { jobId: workflowStepJobId(step.runId, step.stepId), delay, ...(step.priority !== undefined ? { priority: step.priority } : {}) },
  );
}
