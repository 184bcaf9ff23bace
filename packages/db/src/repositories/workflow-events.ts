import { and, desc, eq, sql } from 'drizzle-orm';
import type { Executor } from '../executor.js';
import { workflowEvents } from '../schema/index.js';

export type WorkflowEventRow = typeof workflowEvents.$inferSelect;
export type NewWorkflowEvent = typeof workflowEvents.$inferInsert;

export type WorkflowEventFilter = { tenantId: string; subjectType?: string | undefined; subjectId?: string | undefined; type?: string | undefined; limit: number };

/** Records (or, for a retried event, refreshes) what the engine decided; stops already recorded are kept. */
export async function recordWorkflowEvent(db: Executor, row: NewWorkflowEvent): Promise<void> {
  await db
    .insert(workflowEvents)
    .values(row)
    .onConflictDoUpdate({
      target: [workflowEvents.tenantId, workflowEvents.eventId],
      set: {
        evaluations: sql`excluded.evaluations`,
        stopped: sql`${workflowEvents.stopped} || excluded.stopped`,
        evaluatedAt: sql`excluded.evaluated_at`,
      },
    });
}

/** Evaluated events, newest first. */
export async function listWorkflowEvents(db: Executor, filter: WorkflowEventFilter): Promise<WorkflowEventRow[]> {
  const e = workflowEvents;
  return db
    .select()
    .from(e)
    .where(
      and(
        eq(e.tenantId, filter.tenantId),
        filter.subjectType ? eq(e.subjectType, filter.subjectType) : undefined,
        filter.subjectId ? eq(e.subjectId, filter.subjectId) : undefined,
        filter.type ? eq(e.type, filter.type) : undefined,
      ),
    )
    .orderBy(desc(e.evaluatedAt), desc(e.id))
    .limit(filter.limit);
}
