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
} as const;
