import { cancelQueuedWorkflowTexts, cancelWorkflowRun, type WorkflowRunRow } from '@fieldhand/db';
import { changeRun, runEvent, type RunEventDeps } from './run-events.js';

/**
 * Cancels a run if it is still active (claim, then act), reported as
 * `workflow_run.cancelled` in the same transaction. Its delayed step job is left in
 * Redis: when it wakes it sees the run is over. Texts the run queued but the sms worker
 * has not sent yet are cancelled too.
 */
export async function cancelRun(deps: RunEventDeps, runId: string, reason: string): Promise<WorkflowRunRow | undefined> {
  const run = await changeRun(deps, async (tx) => {
    const cancelled = await cancelWorkflowRun(tx, runId, reason);
    return { value: cancelled, events: cancelled ? [runEvent(cancelled, 'cancelled', reason)] : [] };
  });
  if (run) await cancelQueuedWorkflowTexts(deps.db, run.tenantId, run.id, reason);
  return run;
}
