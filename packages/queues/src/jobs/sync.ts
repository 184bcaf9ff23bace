import { z } from 'zod';
import { tenantScoped } from '../catalog.js';

/** A sync source's name; which names exist is up to the sync worker's registry (@fieldhand/sync). */
export const SYNC_SOURCE_NAME = /^[a-z][a-z0-9-]{0,31}$/;
const source = z.string().regex(SYNC_SOURCE_NAME);

export const syncJobs = {
  // One planner for every tenant, once a minute: it starts each tenant+module pass when its
  // interval (SYNC_INTERVAL_SECONDS or sync_state.interval_seconds) has passed.
  'sync.plan': {
    queue: 'sync',
    schema: tenantScoped.extend({ tenantId: z.null().default(null) }),
    everyMs: 60_000,
  },
  // Starts a pass of the given modules of a source (all when omitted) for one tenant.
  'sync.start': {
    queue: 'sync',
    schema: tenantScoped.extend({
      tenantId: z.uuid(),
      source,
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
      source,
      module: z.string().min(1).max(64),
      runId: z.uuid(),
      page: z.number().int().min(0),
    }),
  },
} as const;
