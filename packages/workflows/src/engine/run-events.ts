import type { Transaction, WorkflowRunRow } from '@fieldhand/db';
import { eventJob, type EventJob } from '@fieldhand/events';
import { flushOutbox, writeOutbox } from '@fieldhand/queues';
import type { WorkflowDeps } from '../workflow-deps.js';

export type RunChange = 'started' | 'completed' | 'cancelled' | 'failed';
export type RunEventDeps = Pick<WorkflowDeps, 'db' | 'bus'> & { logger?: WorkflowDeps['logger'] };

const E164 = /^\+\d{8,15}$/;

/** `workflow_run.<change>`, id `run-<runId>-<change>`: a run changes that way once, so a repeat reports the same event. */
export function runEvent(run: WorkflowRunRow, change: RunChange, reason?: string | null): EventJob {
  const data = {
    runId: run.id,
    definitionKey: run.definitionKey,
    subject: { type: run.subjectType, id: run.subjectId },
    phone: run.phone && E164.test(run.phone) ? run.phone : null,
    ...(reason ? { reason } : {}),
  };
  return eventJob(run.tenantId, `workflow_run.${change}`, data, { id: `run-${run.id}-${change}` });
}

/**
 * Runs a change of a run's status in one transaction with the events it reports, then
 * enqueues them; a change rolled back reports nothing, and if Redis is down now the
 * outbox reconciler enqueues them later.
 */
export async function changeRun<T>(deps: RunEventDeps, work: (tx: Transaction) => Promise<{ value: T; events: EventJob[] }>): Promise<T> {
  const { value, outbox } = await deps.db.transaction(async (tx) => {
    const { value, events } = await work(tx);
    return { value, outbox: await writeOutbox(tx, deps.bus.catalog, events) };
  });
  await flushOutbox(deps.bus, outbox).catch((err: unknown) => deps.logger?.warn({ err }, 'could not enqueue workflow run events; the outbox reconciler will'));
  return value;
}
