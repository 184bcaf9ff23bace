import { z } from 'zod';
import { tenantScoped } from '../catalog.js';

const systemWide = tenantScoped.extend({ tenantId: z.null().default(null) });

export const maintenanceJobs = {
  // Webhook deliveries stored but not processed after a while: their jobs are enqueued again.
  'maintenance.reconcile-inbox': { queue: 'maintenance', schema: systemWide, everyMs: 30_000 },
  // Outbox rows whose job Redis does not have (a crash after the commit, a lost job): enqueued again.
  'maintenance.reconcile-outbox': { queue: 'maintenance', schema: systemWide, everyMs: 30_000 },
  // Jobs that failed for good in Redis without a dead letter in PostgreSQL (it blinked): recorded.
  'maintenance.record-failed-jobs': { queue: 'maintenance', schema: systemWide, everyMs: 30_000 },
  'maintenance.purge-dead-letters': { queue: 'maintenance', schema: systemWide, everyMs: 3_600_000 },
  // Daily: old message bodies blanked, old inbox rows, workflow events, sync runs and step runs deleted, in batches.
  'maintenance.retention': { queue: 'maintenance', schema: systemWide, everyMs: 24 * 3_600_000 },
  // Workflow steps PostgreSQL says are scheduled but Redis has no job for (restart without
  // persistence, FLUSHALL, removed by hand).
  'maintenance.reconcile-workflows': { queue: 'maintenance', schema: systemWide, everyMs: 15_000 },
  // Texts PostgreSQL says are still to be sent but Redis has no send job for.
  'maintenance.reconcile-sends': { queue: 'maintenance', schema: systemWide, everyMs: 30_000 },
  // Reminders PostgreSQL says are scheduled and due soon but Redis has no fire job for.
  'maintenance.reconcile-reminders': { queue: 'maintenance', schema: systemWide, everyMs: 30_000 },
  // Lets an operator (and the end-to-end tests) check that a role consumes jobs end to end.
  'maintenance.probe': {
    queue: 'maintenance',
    schema: tenantScoped.extend({
      tenantId: z.null().default(null),
      probeId: z.string().min(1).max(100),
      durationMs: z.number().int().min(0).max(120_000).default(0),
    }),
  },
} as const;
