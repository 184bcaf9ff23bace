import { erasePerson, exportPerson, findConsent, type Database } from '@fieldhand/db';
import { maskPhone } from '@fieldhand/observability';
import { audit } from '../http/audit.js';
import { defineRoute, type AnyRoute } from '../http/define-route.js';
import { requireTenant } from '../http/require-tenant.js';
import { personErasedResponse, personExportResponse, personParams } from '../schemas/people.js';

/** Customer data requests: everything held about one number, and its erasure (docs/operations.md). */
export function peopleRoutes(db: Database): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/tenants/:tenantId/people/:phone/export',
      operationId: 'exportPerson',
      summary: 'Everything the tenant holds about one phone number',
      description:
        'Texts both ways, the consent record and its history, workflow runs and events, reminders, the ServiceTitan and GoHighLevel records carrying the number, office alerts, ' +
        'the read mark of the thread, and any other row (webhook payloads, events, dead letters) that carries the number in any common spelling.',
      tag: 'people',
      access: 'tenant',
      params: personParams,
      responses: { 200: { description: 'The export', schema: personExportResponse } },
      errors: [404],
      handler: async ({ params }) => {
        await requireTenant(db, params.tenantId);
        return { status: 200, body: await exportPerson(db, params.tenantId, params.phone) };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/tenants/:tenantId/people/:phone',
      operationId: 'erasePerson',
      summary: "Erase one phone number's personal data",
      description:
        'Cancels what is still to happen for the number (queued texts, active workflow runs, scheduled reminders), blanks its message bodies, empties the synced contact, customer and location records carrying it, ' +
        'and removes the number and its texts from every other row of the tenant. The consent record stays as it is, so an opt-out still holds. ' +
        'Recorded in the audit log (the number masked). Repeating it changes nothing more.',
      tag: 'people',
      access: 'tenant',
      params: personParams,
      responses: { 200: { description: 'What was erased', schema: personErasedResponse } },
      errors: [404],
      handler: async ({ params, res }) => {
        await requireTenant(db, params.tenantId);
        const erasedAt = new Date();
        const changed = await db.transaction(async (tx) => {
          const counts = await erasePerson(tx, params.tenantId, params.phone);
          await audit(tx, res, 'person.erased', { tenantId: params.tenantId, target: { phone: maskPhone(params.phone), changed: counts } });
          return counts;
        });
        const consent = await findConsent(db, params.tenantId, params.phone);
        return {
          status: 200,
          body: { tenantId: params.tenantId, phone: params.phone, erasedAt: erasedAt.toISOString(), changed, consent: consent ? { optedOut: consent.smsOptOut, changedAt: consent.changedAt.toISOString() } : null },
        };
      },
    }),
  ];
}
