import { z } from 'zod';
import 'zod-openapi';
import { ST_MODULE_NAMES } from '@fieldhand/servicetitan';

export const startSyncBody = z
  .object({
    source: z.literal('servicetitan'),
    modules: z
      .array(z.enum(ST_MODULE_NAMES as unknown as [string, ...string[]]))
      .min(1)
      .optional()
      .meta({ description: 'Modules to sync; all when omitted' }),
    full: z.boolean().default(false).meta({ description: 'Re-read from the beginning (nothing is deleted first)' }),
  })
  .strict()
  .meta({ id: 'StartSyncRequest' });

export const startSyncResponse = z
  .object({ jobId: z.string(), source: z.literal('servicetitan'), modules: z.array(z.string()), full: z.boolean() })
  .meta({ id: 'StartSyncResponse' });

export const moduleSyncStatus = z
  .object({
    module: z.string(),
    state: z.enum(['running', 'idle', 'never_synced']),
    records: z.number().int(),
    cursorAgeSeconds: z.number().int().nullable().meta({ description: 'Seconds since the cursor last moved' }),
    currentPage: z.number().int().nullable(),
    lastStartedAt: z.string().nullable(),
    lastSuccessAt: z.string().nullable(),
    lastError: z.string().nullable(),
    lastErrorAt: z.string().nullable(),
  })
  .meta({ id: 'ModuleSyncStatus' });

export const syncStatusResponse = z
  .object({ source: z.literal('servicetitan'), modules: z.array(moduleSyncStatus) })
  .meta({ id: 'SyncStatus' });
