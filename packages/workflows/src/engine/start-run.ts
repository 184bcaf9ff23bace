import { and, desc, eq, gt, isNull, sql, type SQL } from 'drizzle-orm';
import { workflowInstances, workflowStepRuns } from '@fieldhand/db';
import { NEW_WORK_PRIORITY } from '@fieldhand/queues';
import type { Definition } from '../definition/definition-schema.js';
import { documentOf, type DefinitionRow } from '../store/definitions.js';
import type { RunRow } from '../store/runs.js';
import type { Subject } from '../subjects/load-subject.js';
import { nowOf, type WorkflowDeps } from '../workflow-deps.js';
import { enqueueStep } from './enqueue-step.js';

export type StartRequest = {
  definition: DefinitionRow;
  subject: Subject;
  /** The event that triggered it; a retried event finds the run it already started. */
  triggerEventId?: string | null;
  /** Replays skip the re-entry policy: an operator asked for this run. */
  replayOf?: { runId: string; fromStep: string; phone: string | null };
};

export type StartResult =
  | { started: true; run: RunRow; created: boolean }
  | { started: false; blockedBy: { policy: string; runId: string; startedAt: string } };

export function cancelKeysOf(subject: Subject, phone: string | null): string[] {
  const keys = [`${subject.type}:${subject.id}`];
  if (phone) keys.push(`phone:${phone}`);
  if (subject.customerId !== null) keys.push(`customer:${subject.customerId}`);
  return [...new Set(keys)];
}

/** Who the re-entry policy counts runs for: the subject, or the customer behind it. */
function scopeOf(def: Definition, subject: Subject): { lock: string; where: SQL } {
  const w = workflowInstances;
  if (def.reentry.per === 'customer' && subject.customerId !== null) {
    return { lock: `customer:${subject.customerId}`, where: eq(w.customerId, subject.customerId) };
  }
  return { lock: `${subject.type}:${subject.id}`, where: and(eq(w.subjectType, subject.type), eq(w.subjectId, subject.id))! };
}

/**
 * Starts a run as the definition's re-entry policy allows: the check and the
 * insert happen under one advisory lock per (definition key, scope), so two
 * events for the same estimate cannot both start one.
 */
export async function startRun(deps: WorkflowDeps, request: StartRequest): Promise<StartResult> {
  const { definition, subject } = request;
  const def = documentOf(definition);
  const now = nowOf(deps);
  const w = workflowInstances;
  const result = await deps.db.transaction(async (tx): Promise<StartResult> => {
    const scope = scopeOf(def, subject);
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`wf-run:${definition.tenantId}:${def.key}:${scope.lock}`}))`);
    if (request.triggerEventId) {
      const [existing] = await tx.select().from(w).where(and(eq(w.definitionId, definition.id), eq(w.triggerEventId, request.triggerEventId)));
      if (existing) return { started: true, run: existing, created: false };
    }
    if (!request.replayOf) {
      const base = and(eq(w.tenantId, definition.tenantId), eq(w.definitionKey, def.key), isNull(w.replayOf), scope.where);
      const policy = def.reentry;
      const blocking =
        policy.policy === 'once'
          ? base
          : policy.policy === 'one_at_a_time'
            ? and(base, eq(w.status, 'active'))
            : and(base, gt(w.startedAt, new Date(now.getTime() - policy.days * 86_400_000)));
      const [prior] = await tx.select({ id: w.id, startedAt: w.startedAt }).from(w).where(blocking).orderBy(desc(w.startedAt)).limit(1);
      if (prior) return { started: false, blockedBy: { policy: policy.policy, runId: prior.id, startedAt: prior.startedAt.toISOString() } };
    }
    const firstStep = request.replayOf?.fromStep ?? def.start;
    const step = def.steps.find((s) => s.id === firstStep)!;
    const phone = request.replayOf ? (subject.phone ?? request.replayOf.phone) : subject.phone;
    const [run] = await tx
      .insert(w)
      .values({
        tenantId: definition.tenantId,
        definitionId: definition.id,
        definitionKey: def.key,
        definitionVersion: def.version,
        subjectType: subject.type,
        subjectId: subject.id,
        customerId: subject.customerId,
        phone,
        status: 'active',
        currentStep: firstStep,
        nextStepAt: now,
        cancelKeys: cancelKeysOf(subject, phone),
        triggerEventId: request.triggerEventId ?? null,
        replayOf: request.replayOf?.runId ?? null,
        replayFromStep: request.replayOf?.fromStep ?? null,
        startedAt: now,
      })
      .returning();
    await tx.insert(workflowStepRuns).values({ tenantId: definition.tenantId, instanceId: run!.id, stepId: step.id, stepType: step.type, status: 'scheduled', dueAt: now });
    return { started: true, run: run!, created: true };
  });
  // Also for a run found again: the first attempt may have committed and lost the enqueue.
  if (result.started && result.run.status === 'active' && result.run.currentStep) {
    // A run's first step is new work: steps of runs already under way go first.
    await enqueueStep(deps, { tenantId: result.run.tenantId, runId: result.run.id, stepId: result.run.currentStep, dueAt: result.run.nextStepAt ?? now, priority: NEW_WORK_PRIORITY });
  }
  return result;
}
