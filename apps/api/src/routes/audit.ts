import { listAudit, type AuditRow, type Database } from '@fieldhand/db';
import { defineRoute, type AnyRoute } from '../http/define-route.js';
import { auditEntryResponse, auditQuery } from '../schemas/audit.js';
import { pageOf } from '../schemas/common.js';

const toResponse = (row: AuditRow) => ({ ...row, createdAt: row.createdAt.toISOString() });

export function auditRoutes(db: Database): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/audit',
      operationId: 'listAudit',
      summary: 'Operator actions, newest first (admin)',
      description: 'Tenants created or changed, keys minted or revoked, workflows saved or switched, consent set through the API, dead letters replayed or discarded, personal data erased: who (key prefix), when, correlation id.',
      tag: 'audit',
      access: 'admin',
      query: auditQuery,
      responses: { 200: { description: 'A page of audit entries', schema: pageOf(auditEntryResponse, 'AuditPage') } },
      handler: async ({ query }) => {
        const page = await listAudit(db, query);
        return { status: 200, body: { data: page.data.map(toResponse), nextCursor: page.nextCursor } };
      },
    }),
  ];
}
