import { z } from 'zod';
import { tenantScoped } from '../catalog.js';

export const SYNC_SOURCES = ['servicetitan'] as const;

export const syncJobs = {
  // Looks at every tenant's sync state and starts the passes that are due; scheduled once per deployment.
  'sync.plan': {
    queue: 'sync',
    schema: tenantScoped.extend({ tenantId: z.null().default(null) }),
  },
  // Starts a pass of the given modules (all when omitted) for one tenant.
  'sync.start': {
    queue: 'sync',
    schema: tenantScoped.extend({
      tenantId: z.uuid(),
      source: z.enum(SYNC_SOURCES),
      modules: z.array(z.string().min(1).max(64)).max(64).optional(),
      // Re-read from the beginning (nothing is deleted first).
      full: z.boolean().default(false),
      // Overrides "emit workflow events unless this is the tenant's first sync".
      emitEvents: z.boolean().optional(),
    }),
  },
  // Applies the next page of one pass; the cursor lives in sync_state, not here.
  'sync.page': {
    queue: 'sync',
    schema: tenantScoped.extend({
      tenantId: z.uuid(),
      source: z.enum(SYNC_SOURCES),
      module: z.string().min(1).max(64),
      runId: z.uuid(),
      page: z.number().int().min(0),
    }),
  },
} as const;
