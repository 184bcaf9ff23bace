import { failWorkflowRun, type WorkflowRunRow } from '@fieldhand/db';
import { changeRun, runEvent, type RunEventDeps } from './run-events.js';

/** Fails a step and its run (if still active), reported as `workflow_run.failed` in the same transaction. */
export async function failRun(deps: RunEventDeps, runId: string, stepId: string, error: string): Promise<WorkflowRunRow | undefined> {
  return changeRun(deps, async (tx) => {
    const failed = await failWorkflowRun(tx, runId, stepId, error);
    return { value: failed, events: failed ? [runEvent(failed, 'failed', `${stepId}: ${error}`)] : [] };
  });
}
