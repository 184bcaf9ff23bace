import { startWorkflowRun, type ReentryBlock, type WorkflowDefinitionRow, type WorkflowRunRow, type WorkflowRunScope } from '@fieldhand/db';
import { NEW_WORK_PRIORITY } from '@fieldhand/queues';
import type { Definition } from '../definition/definition-schema.js';
import { documentOf } from '../definition/stored-definitions.js';
import type { Subject } from '../subjects/load-subject.js';
import { nowOf, type WorkflowDeps } from '../workflow-deps.js';
import { enqueueStep } from './enqueue-step.js';
import { changeRun, runEvent } from './run-events.js';

export type StartRequest = {
  definition: WorkflowDefinitionRow;
  subject: Subject;
  /** The event that triggered it; a retried event finds the run it already started. */
  triggerEventId?: string | null;
  /** Replays skip the re-entry policy: an operator asked for this run. */
  replayOf?: { runId: string; fromStep: string; phone: string | null };
};

export type StartResult =
  | { started: true; run: WorkflowRunRow; created: boolean }
  | { started: false; blockedBy: { policy: string; runId: string; startedAt: string } };

function cancelKeysOf(subject: Subject, phone: string | null): string[] {
  const keys = [`${subject.type}:${subject.id}`];
  if (phone) keys.push(`phone:${phone}`);
  if (subject.customerId !== null) keys.push(`customer:${subject.customerId}`);
  return [...new Set(keys)];
}

/** Who the re-entry policy counts runs for: the subject, or the customer behind it. */
function scopeOf(def: Definition, subject: Subject): WorkflowRunScope {
  if (def.reentry.per === 'customer' && subject.customerId !== null) return { customerId: subject.customerId };
  return { subjectType: subject.type, subjectId: subject.id };
}

/** The earlier run that keeps a new one from starting, by the definition's re-entry policy. */
function reentryBlock(def: Definition, now: Date): ReentryBlock {
  const policy = def.reentry;
  if (policy.policy === 'once') return { kind: 'any' };
  if (policy.policy === 'one_at_a_time') return { kind: 'active' };
  return { kind: 'started_after', since: new Date(now.getTime() - policy.days * 86_400_000) };
}

/**
 * Starts a run as the definition's re-entry policy allows (checked and inserted under
 * one lock per definition key and scope, with its `workflow_run.started` event), then
 * enqueues its first step.
 */
export async function startRun(deps: WorkflowDeps, request: StartRequest): Promise<StartResult> {
  const { definition, subject } = request;
  const def = documentOf(definition);
  const now = nowOf(deps);
  const firstStep = request.replayOf?.fromStep ?? def.start;
  const phone = request.replayOf ? (subject.phone ?? request.replayOf.phone) : subject.phone;
  const started = await changeRun(deps, async (tx) => {
    const result = await startWorkflowRun(tx, {
      run: {
        tenantId: definition.tenantId,
        definitionId: definition.id,
        definitionKey: def.key,
        definitionVersion: def.version,
        subjectType: subject.type,
        subjectId: subject.id,
        customerId: subject.customerId,
        phone,
        currentStep: firstStep,
        nextStepAt: now,
        cancelKeys: cancelKeysOf(subject, phone),
        triggerEventId: request.triggerEventId ?? null,
        replayOf: request.replayOf?.runId ?? null,
        replayFromStep: request.replayOf?.fromStep ?? null,
        startedAt: now,
      },
      firstStepType: def.steps.find((s) => s.id === firstStep)!.type,
      scope: scopeOf(def, subject),
      ...(request.replayOf ? {} : { blockedBy: reentryBlock(def, now) }),
    });
    // Only the attempt that created the run reports it: a retry finding it again does not.
    return { value: result, events: result.started && result.created ? [runEvent(result.run, 'started')] : [] };
  });
  if (!started.started) {
    return { started: false, blockedBy: { policy: def.reentry.policy, runId: started.blockedBy.id, startedAt: started.blockedBy.startedAt.toISOString() } };
  }
  const { run } = started;
  // Also for a run found again: the first attempt may have committed and lost the enqueue.
  if (run.status === 'active' && run.currentStep) {
    // A run's first step is new work: steps of runs already under way go first.
    await enqueueStep(deps, { tenantId: run.tenantId, runId: run.id, stepId: run.currentStep, dueAt: run.nextStepAt ?? now, priority: NEW_WORK_PRIORITY });
  }
  return started;
}
