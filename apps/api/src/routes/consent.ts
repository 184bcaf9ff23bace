import { z } from 'zod';
import { findConsent, type Database } from '@fieldhand/db';
import type { Logger } from '@fieldhand/observability';
import type { FieldhandCatalog, JobBus } from '@fieldhand/queues';
import { setConsent } from '@fieldhand/sms';
import { audit } from '../http/audit.js';
import { defineRoute, type AnyRoute } from '../http/define-route.js';
import { requireTenant } from '../http/require-tenant.js';
import { uuidParam } from '../schemas/common.js';
import { consentBody, consentResponse, phoneInput } from '../schemas/message.js';

const consentParams = z.object({ tenantId: uuidParam, phone: phoneInput });

export function consentRoutes(db: Database, bus: JobBus<FieldhandCatalog>, logger: Logger): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/tenants/:tenantId/consent/:phone',
      operationId: 'getConsent',
      summary: "A number's SMS consent",
      description: 'A number never seen is not opted out (changedAt null).',
      tag: 'consent',
      access: 'tenant',
      params: consentParams,
      responses: { 200: { description: 'The consent state', schema: consentResponse } },
      handler: async ({ params }) => {
        const row = await findConsent(db, params.tenantId, params.phone);
        return {
          status: 200,
          body: { phone: params.phone, optedOut: row?.smsOptOut ?? false, changedAt: row?.changedAt.toISOString() ?? null, keyword: row?.keyword ?? null, source: row?.source ?? null },
        };
      },
    }),
    defineRoute({
      method: 'put',
      path: '/tenants/:tenantId/consent/:phone',
      operationId: 'setConsent',
      summary: 'Record an opt-out or opt-in given by other means',
      description:
        'The FCC allows revocation by any reasonable means (a call, an email, the technician). Takes effect for every send not yet handed to Twilio; ' +
        "as after an inbound STOP or START, the number's queued texts are then canceled and its workflow runs hear of it (and stop on an opt-out).",
      tag: 'consent',
      access: 'tenant',
      params: consentParams,
      body: consentBody,
      responses: { 200: { description: 'The consent state after the change', schema: consentResponse } },
      errors: [404],
      handler: async ({ params, body, res }) => {
        await requireTenant(db, params.tenantId);
        const row = await setConsent({ db, bus, logger }, { tenantId: params.tenantId, phone: params.phone, optOut: body.optedOut, keyword: body.keyword ?? null, source: body.source });
        await audit(db, res, 'consent.set', { tenantId: params.tenantId, target: { phone: row.phone, optedOut: row.smsOptOut, keyword: row.keyword } });
        return { status: 200, body: { phone: row.phone, optedOut: row.smsOptOut, changedAt: row.changedAt.toISOString(), keyword: row.keyword, source: row.source } };
      },
    }),
  ];
}
