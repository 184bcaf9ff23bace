import { z } from 'zod';
import { tenantScoped } from '../catalog.js';

export const maintenanceJobs = {
  'maintenance.reconcile-inbox': {
    queue: 'maintenance',
    schema: tenantScoped.extend({ tenantId: z.null().default(null) }),
  },
  'maintenance.purge-dead-letters': {
    queue: 'maintenance',
    schema: tenantScoped.extend({ tenantId: z.null().default(null) }),
  },
  // Re-enqueues workflow steps that PostgreSQL says are scheduled but Redis has no job for.
  'maintenance.reconcile-workflows': {
    queue: 'maintenance',
    schema: tenantScoped.extend({ tenantId: z.null().default(null) }),
  },
  // Re-enqueues texts that PostgreSQL says are still to be sent but Redis has no send job for.
  'maintenance.reconcile-sends': {
    queue: 'maintenance',
    schema: tenantScoped.extend({ tenantId: z.null().default(null) }),
  },
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
