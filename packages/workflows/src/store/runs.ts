import { and, asc, desc, eq, getTableColumns, inArray, like, sql, type SQL } from 'drizzle-orm';
import { afterCursor, cursorTimestamp, decodeCursor, messages, toPage, transitionMessage, workflowInstances, workflowStepRuns, type Database, type Page } from '@fieldhand/db';

export type RunRow = typeof workflowInstances.$inferSelect;
export type StepRunRow = typeof workflowStepRuns.$inferSelect;
export type RunStatus = RunRow['status'];

/** The ledger key of a run's text: one step of one run can never text twice. */
export const smsIdempotencyKey = (runId: string, stepId: string): string => `wf:${runId}:${stepId}`;

export async function findRun(db: Database, tenantId: string, id: string): Promise<RunRow | undefined> {
  const [row] = await db.select().from(workflowInstances).where(and(eq(workflowInstances.tenantId, tenantId), eq(workflowInstances.id, id)));
  return row;
}

export async function findStepRun(db: Database, runId: string, stepId: string): Promise<StepRunRow | undefined> {
  const [row] = await db.select().from(workflowStepRuns).where(and(eq(workflowStepRuns.instanceId, runId), eq(workflowStepRuns.stepId, stepId)));
  return row;
}

export async function stepRunsOf(db: Database, runId: string): Promise<StepRunRow[]> {
  return db.select().from(workflowStepRuns).where(eq(workflowStepRuns.instanceId, runId)).orderBy(asc(workflowStepRuns.createdAt), asc(workflowStepRuns.dueAt));
}

export type RunFilter = {
  tenantId: string;
  status?: RunStatus | undefined;
  definition?: string | undefined;
  subjectType?: string | undefined;
  subjectId?: string | undefined;
  phone?: string | undefined;
  limit: number;
  cursor?: string | undefined;
};

export async function listRuns(db: Database, filter: RunFilter): Promise<Page<RunRow>> {
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
  return toPage<RunRow>(rows, filter.limit);
}

/** Active runs holding any of `keys`: the one query a stopping event needs (GIN on cancel_keys). */
export async function activeRunsByCancelKeys(db: Database, tenantId: string, keys: string[]): Promise<RunRow[]> {
  if (keys.length === 0) return [];
  return db
    .select()
    .from(workflowInstances)
    .where(and(eq(workflowInstances.tenantId, tenantId), eq(workflowInstances.status, 'active'), sql`${workflowInstances.cancelKeys} && ${sql.param(keys)}::text[]`));
}

/**
 * Marks a run cancelled if it is still active (claim, then act). Its delayed
 * step job is left in Redis: when it wakes it sees the run is over. Texts the
 * run queued but the sms worker has not sent yet are cancelled too.
 */
export async function cancelRun(db: Database, runId: string, reason: string): Promise<RunRow | undefined> {
  const now = new Date();
  const run = await db.transaction(async (tx) => {
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
  if (run) await cancelQueuedTexts(db, run.tenantId, run.id, reason);
  return run;
}

/** Queued (not yet claimed by the sms worker) texts of a run that is no longer active. */
export async function cancelQueuedTexts(db: Database, tenantId: string, runId: string, reason: string): Promise<number> {
  const queued = await db
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.tenantId, tenantId), like(messages.idempotencyKey, `wf:${runId}:%`), eq(messages.status, 'queued')));
  let cancelled = 0;
  for (const m of queued) {
    if (await transitionMessage(db, m.id, ['queued'], { status: 'canceled', source: 'workflow', errorMessage: `workflow run stopped: ${reason}` })) cancelled++;
  }
  return cancelled;
}

export async function failRun(db: Database, runId: string, stepId: string, error: string): Promise<void> {
  const now = new Date();
  await db.transaction(async (tx) => {
    await tx
      .update(workflowStepRuns)
      .set({ status: 'failed', error, finishedAt: now })
      .where(and(eq(workflowStepRuns.instanceId, runId), eq(workflowStepRuns.stepId, stepId), inArray(workflowStepRuns.status, ['scheduled', 'running'])));
    await tx
      .update(workflowInstances)
      .set({ status: 'failed', error: `${stepId}: ${error}`, nextStepAt: null, finishedAt: now, updatedAt: now })
      .where(and(eq(workflowInstances.id, runId), eq(workflowInstances.status, 'active')));
  });
}
