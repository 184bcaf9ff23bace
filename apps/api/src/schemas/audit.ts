import { z } from 'zod';
import 'zod-openapi';
import { pageQuery, uuidParam } from './common.js';

export const auditEntryResponse = z
  .object({
    id: z.uuid(),
    tenantId: z.uuid().nullable().meta({ description: 'The tenant acted on; null for an action on no tenant (an admin key revoked)' }),
    actor: z.string().meta({ description: "The caller's API key prefix, or `admin` for the admin key from the environment" }),
    action: z.string().meta({ description: 'tenant.created, tenant.updated, api_key.created, api_key.revoked, workflow.saved, workflow.enabled, workflow.disabled, consent.set, dead_letter.replayed, dead_letter.discarded, person.erased', example: 'api_key.created' }),
    target: z.record(z.string(), z.unknown()).meta({ description: 'What was acted on (ids, names, the fields changed; never a secret)' }),
    correlationId: z.string().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'AuditEntry' });

export const auditQuery = pageQuery.extend({
  tenantId: uuidParam.optional().meta({ description: 'Only actions on this tenant' }),
});
