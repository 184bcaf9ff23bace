import { and, asc, desc, eq, getTableColumns, gt, inArray, isNull, like, lte, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../client.js';
import type { Executor, Transaction } from '../executor.js';
import { afterCursor, cursorTimestamp, decodeCursor, toPage, type Page } from '../pagination.js';
import { messages, workflowInstances, workflowStepRuns } from '../schema/index.js';
import { transitionMessage } from './messages.js';

export type WorkflowRunRow = typeof workflowInstances.$inferSelect;
export type WorkflowStepRunRow = typeof workflowStepRuns.$inferSelect;
export type WorkflowRunStatus = WorkflowRunRow['status'];

/** The ledger key of a run's text: one step of one run can never text twice. */
export const workflowTextKey = (runId: string, stepId: string): string => `wf:${runId}:${stepId}`;

export async function findWorkflowRun(db: Executor, tenantId: string, id: string): Promise<WorkflowRunRow | undefined> {
  const [row] = await db.select().from(workflowInstances).where(and(eq(workflowInstances.tenantId, tenantId), eq(workflowInstances.id, id)));
  return row;
}

export async function findWorkflowStepRun(db: Executor, runId: string, stepId: string): Promise<WorkflowStepRunRow | undefined> {
  const [row] = await db.select().from(workflowStepRuns).where(and(eq(workflowStepRuns.instanceId, runId), eq(workflowStepRuns.stepId, stepId)));
  return row;
}

/** A run's steps in the order they were scheduled. */
export async function listWorkflowStepRuns(db: Executor, runId: string): Promise<WorkflowStepRunRow[]> {
  return db.select().from(workflowStepRuns).where(eq(workflowStepRuns.instanceId, runId)).orderBy(asc(workflowStepRuns.createdAt), asc(workflowStepRuns.dueAt));
}

export type WorkflowRunFilter = {
  tenantId: string;
  status?: WorkflowRunStatus | undefined;
  definition?: string | undefined;
  subjectType?: string | undefined;
  subjectId?: string | undefined;
  phone?: string | undefined;
  limit: number;
  cursor?: string | undefined;
};

/** Runs newest first, a page at a time. */
export async function listWorkflowRuns(db: Executor, filter: WorkflowRunFilter): Promise<Page<WorkflowRunRow>> {
  const w = workflowInstances;
  const conditions: SQL[] = [eq(w.tenantId, filter.tenantId)];
  if (filter.status) conditions.push(eq(w.status, filter.status));
  if (filter.definition) conditions.push(eq(w.definitionKey, filter.definition));
  if (filter.subjectType) conditions.push(eq(w.subjectType, filter.subjectType));
  if (filter.subjectId) conditions.push(eq(w.subjectId, filter.subjectId));
  if (filter.phone) conditions.push(eq(w.phone, filter.phone));
  const after = filter.cursor ? decodeCursor(filter.cursor) : undefined;
  if (after) conditions.push(afterCursor(w.startedAt, w.id, after));
  const rows = await db
    .select({ ...getTableColumns(w), cursorAt: cursorTimestamp(w.startedAt) })
    .from(w)
    .where(and(...conditions))
    .orderBy(desc(w.startedAt), desc(w.id))
    .limit(filter.limit + 1);
  return toPage<WorkflowRunRow>(rows, filter.limit);
}

/** Active runs holding any of `keys`: the one query a stopping event needs (GIN on cancel_keys). */
export async function activeWorkflowRunsByCancelKeys(db: Executor, tenantId: string, keys: string[]): Promise<WorkflowRunRow[]> {
  if (keys.length === 0) return [];
  return db
    .select()
    .from(workflowInstances)
    .where(and(eq(workflowInstances.tenantId, tenantId), eq(workflowInstances.status, 'active'), sql`${workflowInstances.cancelKeys} && ${sql.param(keys)}::text[]`));
}

/** Whose earlier runs a re-entry policy counts: the subject's, or the customer's behind it. */
export type WorkflowRunScope = { customerId: number } | { subjectType: string; subjectId: string };

/** Which earlier run of the same key and scope (replays aside) keeps a new one from starting. */
export type ReentryBlock = { kind: 'any' } | { kind: 'active' } | { kind: 'started_after'; since: Date };

export type StartWorkflowRun = {
  run: Omit<typeof workflowInstances.$inferInsert, 'id' | 'status'> & { currentStep: string; nextStepAt: Date };
  /** The type of `run.currentStep`, whose step row is scheduled at `run.nextStepAt`. */
  firstStepType: string;
  scope: WorkflowRunScope;
  /** Absent for a replay, which an operator asked for. */
  blockedBy?: ReentryBlock;
};

export type StartedWorkflowRun =
  | { started: true; run: WorkflowRunRow; created: boolean }
  | { started: false; blockedBy: Pick<WorkflowRunRow, 'id' | 'startedAt'> };

/**
 * Inserts a run and its first step unless an earlier run blocks it. The check and the
 * insert happen under one advisory lock per (tenant, definition key, scope), so two
 * events for the same estimate cannot both start one; a retried trigger event finds
 * the run it already started.
 */
export async function startWorkflowRun(db: Database | Transaction, request: StartWorkflowRun): Promise<StartedWorkflowRun> {
  const { run, scope } = request;
  const w = workflowInstances;
  const scopeLock = 'customerId' in scope ? `customer:${scope.customerId}` : `${scope.subjectType}:${scope.subjectId}`;
  const scopeWhere = 'customerId' in scope ? eq(w.customerId, scope.customerId) : and(eq(w.subjectType, scope.subjectType), eq(w.subjectId, scope.subjectId));
  return db.transaction(async (tx): Promise<StartedWorkflowRun> => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`wf-run:${run.tenantId}:${run.definitionKey}:${scopeLock}`}))`);
    if (run.triggerEventId) {
      const [existing] = await tx.select().from(w).where(and(eq(w.definitionId, run.definitionId), eq(w.triggerEventId, run.triggerEventId)));
      if (existing) return { started: true, run: existing, created: false };
    }
    const block = request.blockedBy;
    if (block) {
      const base = and(eq(w.tenantId, run.tenantId), eq(w.definitionKey, run.definitionKey), isNull(w.replayOf), scopeWhere);
      const blocking = block.kind === 'any' ? base : block.kind === 'active' ? and(base, eq(w.status, 'active')) : and(base, gt(w.startedAt, block.since));
      const [prior] = await tx.select({ id: w.id, startedAt: w.startedAt }).from(w).where(blocking).orderBy(desc(w.startedAt)).limit(1);
      if (prior) return { started: false, blockedBy: prior };
    }
    const [row] = await tx.insert(w).values({ ...run, status: 'active' }).returning();
    await tx
      .insert(workflowStepRuns)
      .values({ tenantId: run.tenantId, instanceId: row!.id, stepId: run.currentStep, stepType: request.firstStepType, status: 'scheduled', dueAt: run.nextStepAt });
    return { started: true, run: row!, created: true };
  });
}

/** Claim, then act: only a scheduled or running (a retry after a crash) step may run. */
export async function claimWorkflowStep(db: Executor, stepRun: Pick<WorkflowStepRunRow, 'id' | 'attempts' | 'startedAt'>, now: Date): Promise<WorkflowStepRunRow | undefined> {
  const [claimed] = await db
    .update(workflowStepRuns)
    .set({ status: 'running', attempts: stepRun.attempts + 1, startedAt: stepRun.startedAt ?? now })
    .where(and(eq(workflowStepRuns.id, stepRun.id), inArray(workflowStepRuns.status, ['scheduled', 'running'])))
    .returning();
  return claimed;
}

export type CompletedWorkflowStep = { tenantId: string; runId: string; stepId: string; outcome: Record<string, unknown>; now: Date };

/**
 * Completes a running step and moves its run on to `next` (scheduled at its due time),
 * or completes the run when there is no next step. Only a run that is still active and
 * still on this step moves: a stop that landed meanwhile wins. Answers the run it moved.
 */
export async function completeWorkflowStep(
  db: Database | Transaction,
  step: CompletedWorkflowStep,
  next: { stepId: string; stepType: string; dueAt: Date } | null,
): Promise<WorkflowRunRow | undefined> {
  const { runId, now } = step;
  return db.transaction(async (tx) => {
    await tx
      .update(workflowStepRuns)
      .set({ status: 'completed', outcome: step.outcome, finishedAt: now })
      .where(and(eq(workflowStepRuns.instanceId, runId), eq(workflowStepRuns.stepId, step.stepId), eq(workflowStepRuns.status, 'running')));
    const [moved] = await tx
      .update(workflowInstances)
      .set(next ? { currentStep: next.stepId, nextStepAt: next.dueAt, updatedAt: now } : { status: 'completed', currentStep: null, nextStepAt: null, finishedAt: now, updatedAt: now })
      .where(and(eq(workflowInstances.id, runId), eq(workflowInstances.status, 'active'), eq(workflowInstances.currentStep, step.stepId)))
      .returning();
    if (moved && next) {
      await tx
        .insert(workflowStepRuns)
        .values({ tenantId: step.tenantId, instanceId: runId, stepId: next.stepId, stepType: next.stepType, status: 'scheduled', dueAt: next.dueAt })
        .onConflictDoNothing();
    }
    return moved;
  });
}

/** Marks a run cancelled, with its scheduled steps, if it is still active; undefined when it was not. */
export async function cancelWorkflowRun(db: Database | Transaction, runId: string, reason: string): Promise<WorkflowRunRow | undefined> {
  const now = new Date();
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(workflowInstances)
      .set({ status: 'cancelled', cancelReason: reason, nextStepAt: null, finishedAt: now, updatedAt: now })
      .where(and(eq(workflowInstances.id, runId), eq(workflowInstances.status, 'active')))
      .returning();
    if (!row) return undefined;
    await tx
      .update(workflowStepRuns)
      .set({ status: 'cancelled', error: reason, finishedAt: now })
      .where(and(eq(workflowStepRuns.instanceId, runId), inArray(workflowStepRuns.status, ['scheduled'])));
    return row;
  });
}

/** Marks one step of a run cancelled, whatever its status. */
export async function cancelWorkflowStep(db: Executor, runId: string, stepId: string, reason: string, now: Date): Promise<void> {
  await db
    .update(workflowStepRuns)
    .set({ status: 'cancelled', error: reason, finishedAt: now })
    .where(and(eq(workflowStepRuns.instanceId, runId), eq(workflowStepRuns.stepId, stepId)));
}

/** Fails a step (if it has not finished) and its run (if still active), so it can be replayed from that step; answers the run it failed. */
export async function failWorkflowRun(db: Database | Transaction, runId: string, stepId: string, error: string): Promise<WorkflowRunRow | undefined> {
  const now = new Date();
  return db.transaction(async (tx) => {
    await tx
      .update(workflowStepRuns)
      .set({ status: 'failed', error, finishedAt: now })
      .where(and(eq(workflowStepRuns.instanceId, runId), eq(workflowStepRuns.stepId, stepId), inArray(workflowStepRuns.status, ['scheduled', 'running'])));
    const [failed] = await tx
      .update(workflowInstances)
      .set({ status: 'failed', error: `${stepId}: ${error}`, nextStepAt: null, finishedAt: now, updatedAt: now })
      .where(and(eq(workflowInstances.id, runId), eq(workflowInstances.status, 'active')))
      .returning();
    return failed;
  });
}

/** Texts a run queued that the sms worker has not claimed yet are cancelled; returns how many. */
export async function cancelQueuedWorkflowTexts(db: Executor, tenantId: string, runId: string, reason: string): Promise<number> {
  const queued = await db
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.tenantId, tenantId), like(messages.idempotencyKey, workflowTextKey(runId, '%')), eq(messages.status, 'queued')));
  let cancelled = 0;
  for (const m of queued) {
    if (await transitionMessage(db, m.id, ['queued'], { status: 'canceled', source: 'workflow', errorMessage: `workflow run stopped: ${reason}` })) cancelled++;
  }
  return cancelled;
}

export type DueWorkflowStep = { tenantId: string; runId: string; stepId: string; dueAt: Date };

/**
 * The current step of every active run that is due by `dueBy` and scheduled (or was
 * running), earliest first; steps created after `createdBefore` are left out.
 */
export async function findDueWorkflowSteps(db: Executor, options: { dueBy: Date; createdBefore: Date; limit: number }): Promise<DueWorkflowStep[]> {
  const i = workflowInstances;
  const s = workflowStepRuns;
  return db
    .select({ tenantId: i.tenantId, runId: i.id, stepId: s.stepId, dueAt: s.dueAt })
    .from(i)
    .innerJoin(s, and(eq(s.instanceId, i.id), eq(s.stepId, i.currentStep)))
    .where(and(eq(i.status, 'active'), lte(i.nextStepAt, options.dueBy), inArray(s.status, ['scheduled', 'running']), lte(s.createdAt, options.createdBefore)))
    .orderBy(i.nextStepAt)
    .limit(options.limit);
}
