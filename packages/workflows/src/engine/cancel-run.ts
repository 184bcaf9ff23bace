import { cancelQueuedWorkflowTexts, cancelWorkflowRun, type Database, type WorkflowRunRow } from '@fieldhand/db';

/**
 * Cancels a run if it is still active (claim, then act). Its delayed step job is left
 * in Redis: when it wakes it sees the run is over. Texts the run queued but the sms
 * worker has not sent yet are cancelled too.
 */
export async function cancelRun(db: Database, runId: string, reason: string): Promise<WorkflowRunRow | undefined> {
  const run = await cancelWorkflowRun(db, runId, reason);
  if (run) await cancelQueuedWorkflowTexts(db, run.tenantId, run.id, reason);
  return run;
}
