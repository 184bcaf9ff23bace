import { z } from 'zod';
import { reencryptTenantSecrets, tenantSecretKeys, type Database } from '@fieldhand/db';
import type { FieldhandCatalog, JobBus } from '@fieldhand/queues';
import { defineRoute, type AnyRoute } from '../http/define-route.js';

const probeBody = z
  .object({
    probeId: z.string().min(1).max(100).describe('Your label for this probe; the job returns it'),
    durationMs: z.number().int().min(0).max(120_000).default(0).describe('How long the job waits before completing'),
  })
  .strict()
  .meta({ id: 'ProbeRequest' });

const probeResponse = z.object({ jobId: z.string() }).meta({ id: 'ProbeResponse' });

const rotationResponse = z
  .object({
    keyId: z.string().meta({ description: 'The current key (a short hash of it, not the key)' }),
    rows: z.number().int().meta({ description: 'Tenant rows sealed again' }),
    secretsByKey: z.record(z.string(), z.number().int()).meta({ description: "Stored secrets per key id afterwards ('clear' = unencrypted): only the current key should remain" }),
  })
  .meta({ id: 'EncryptionRotation' });

/** Operator tools that act on the job system itself. */
export function maintenanceRoutes(db: Database, bus: JobBus<FieldhandCatalog>): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/maintenance/rotate-encryption',
      operationId: 'rotateEncryption',
      summary: "Seal every tenant's vendor secrets with the current encryption key",
      description:
        'Run after setting a new FIELDHAND_ENCRYPTION_KEY with the old one in FIELDHAND_ENCRYPTION_PREVIOUS_KEYS (on every process); afterwards the old key can go. ' +
        'Also encrypts secrets stored before encryption existed.',
      tag: 'maintenance',
      access: 'admin',
      responses: { 200: { description: 'Done', schema: rotationResponse } },
      handler: async () => {
        const done = await reencryptTenantSecrets(db);
        return { status: 200, body: { ...done, secretsByKey: await tenantSecretKeys(db) } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/maintenance/probe',
      operationId: 'enqueueProbe',
      summary: 'Enqueue a probe job on the maintenance queue',
      description:
        'Checks that workers consume jobs end to end: the job carries this request\'s correlation id, so its worker log lines can be found with it.',
      tag: 'maintenance',
      access: 'admin',
      body: probeBody,
      responses: { 202: { description: 'Enqueued', schema: probeResponse } },
      handler: async ({ body }) => {
        const jobId = await bus.enqueue('maintenance.probe', { tenantId: null, ...body });
        return { status: 202, body: { jobId } };
      },
    }),
  ];
}
