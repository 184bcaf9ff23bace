import { findDueWorkflowSteps } from '@fieldhand/db';
import { workflowStepJobId } from '@fieldhand/queues';
import { nowOf, type WorkflowDeps } from '../workflow-deps.js';
import { enqueueStep } from './enqueue-step.js';
import { failRun } from './fail-run.js';

export type ReconcileOptions = {
  /** Steps due within this window are checked, so a lost delayed job is restored before it is due. */
  horizonMs?: number;
  /** Steps scheduled more recently than this are skipped: their enqueue may still be on its way. */
  settleMs?: number;
  batch?: number;
};

/**
 * PostgreSQL is the truth: every active run's current step that is scheduled
 * (or was running) must have a job in Redis. One that does not — Redis lost its
 * data, someone removed the job — is enqueued again under the same job id. The
 * step's ledger key keeps a re-run from texting twice. A step whose job failed
 * for good without its handler marking the run (it stalled too often, or threw
 * outside the step) fails the run here, so it can be replayed from that step.
 */
export async function reconcileRuns(deps: WorkflowDeps, options: ReconcileOptions = {}): Promise<{ checked: number; reenqueued: number; failed: number }> {
  const now = nowOf(deps);
  const rows = await findDueWorkflowSteps(deps.db, {
    dueBy: new Date(now.getTime() + (options.horizonMs ?? 3_600_000)),
    createdBefore: new Date(now.getTime() - (options.settleMs ?? 5_000)),
    limit: options.batch ?? 5_000,
  });
  const queue = deps.bus.queue('workflow');
  let reenqueued = 0;
  let failed = 0;
  for (let start = 0; start < rows.length; start += 200) {
    const chunk = rows.slice(start, start + 200);
    const jobs = await Promise.all(chunk.map((r) => queue.getJob(workflowStepJobId(r.runId, r.stepId))));
    for (const [index, job] of jobs.entries()) {
      const row = chunk[index]!;
      if (!job) {
        await enqueueStep(deps, row);
        reenqueued++;
      } else if (job.finishedOn && job.failedReason && (await job.isFailed())) {
        // Kept failed jobs stay in Redis, so without this the run would stay active forever.
        await failRun(deps, row.runId, row.stepId, `job failed after ${job.attemptsMade} attempt(s): ${job.failedReason}`);
        failed++;
      }
    }
  }
  if (reenqueued > 0) deps.logger.warn({ reenqueued, checked: rows.length }, 'workflow steps had no job in Redis; re-enqueued');
  if (failed > 0) deps.logger.error({ failed }, 'workflow steps whose job failed for good; their runs are marked failed');
  return { checked: rows.length, reenqueued, failed };
}
