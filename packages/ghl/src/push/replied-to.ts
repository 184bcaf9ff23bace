import { findLastTextTo, findWorkflowDefinitionById, findWorkflowRun, type Database, type MessageRow } from '@fieldhand/db';

/**
 * What a reply answered, in the office's words: the workflow that sent our last text to
 * the number, "appointment reminder", or "a text" (one sent through the API, or none found).
 */
export async function repliedTo(db: Database, reply: MessageRow): Promise<string> {
  const phone = reply.from ?? reply.to;
  const last = await findLastTextTo(db, reply.tenantId, phone, reply.createdAt);
  const key = last?.idempotencyKey ?? '';
  if (key.startsWith('reminder')) return 'appointment reminder';
  // Workflow texts are keyed wf:<runId>:<stepId> (workflowTextKey).
  const runId = key.startsWith('wf:') ? key.split(':')[1] : undefined;
  if (runId) {
    const run = await findWorkflowRun(db, reply.tenantId, runId).catch(() => undefined);
    const definition = run ? await findWorkflowDefinitionById(db, run.definitionId) : undefined;
    if (definition) return definition.name;
  }
  return 'a text';
}
