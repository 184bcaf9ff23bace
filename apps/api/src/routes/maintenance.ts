import { z } from 'zod';
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

/** Operator tools that act on the job system itself. */
export function maintenanceRoutes(bus: JobBus<FieldhandCatalog>): AnyRoute[] {
  return [
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
