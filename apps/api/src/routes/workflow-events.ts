import { z } from 'zod';
import { listWorkflowEvents, type Database, type WorkflowEventRow } from '@fieldhand/db';
import { defineRoute, type AnyRoute } from '../http/define-route.js';
import { uuidParam } from '../schemas/common.js';
import { eventList, eventQuery, parseSubject } from '../schemas/workflow.js';

const tenantParams = z.object({ tenantId: uuidParam });

function toResponse(row: WorkflowEventRow) {
  return {
    id: row.id,
    eventId: row.eventId,
    type: row.type,
    subject: { type: row.subjectType, id: row.subjectId },
    phone: row.phone,
    payload: row.payload,
    evaluations: row.evaluations,
    stopped: row.stopped,
    evaluatedAt: row.evaluatedAt.toISOString(),
  };
}

export function workflowEventRoutes(db: Database): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/tenants/:tenantId/workflow-events',
      operationId: 'listWorkflowEvents',
      summary: 'Why did (or did not) a run start? Events the engine evaluated, newest first',
      description: 'Filter with `subject=estimate:123`. Each event lists, per enabled definition, whether it matched, the run it started or what blocked it, or the first condition that failed with the value seen; and the runs it stopped.',
      tag: 'workflow events',
      access: 'tenant',
      params: tenantParams,
      query: eventQuery,
      responses: { 200: { description: 'Evaluated events', schema: eventList } },
      handler: async ({ params, query }) => {
        const subject = parseSubject(query.subject);
        const rows = await listWorkflowEvents(db, { tenantId: params.tenantId, subjectType: subject?.type, subjectId: subject?.id, type: query.type, limit: query.limit });
        return { status: 200, body: { data: rows.map(toResponse) } };
      },
    }),
  ];
}
