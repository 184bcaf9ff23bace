import { z } from 'zod';
import 'zod-openapi';
import { findModule } from '@fieldhand/sync';
import { SYNC_SOURCES } from '../sync-sources.js';

const sourceName = z.enum(SYNC_SOURCES.names as [string, ...string[]]).meta({ description: 'A registered sync source' });

export const startSyncBody = z
  .object({
    source: sourceName,
    modules: z
      .array(z.string().min(1).max(64))
      .min(1)
      .optional()
      .meta({ description: "Modules of the source to sync; all when omitted. GET …/sync lists each source's modules" }),
    full: z.boolean().default(false).meta({ description: 'Re-read from the beginning (nothing is deleted first; a source that reconciles, GHL, marks what the pass no longer finds inactive)' }),
  })
  .strict()
  .superRefine((body, ctx) => {
    const source = SYNC_SOURCES.get(body.source);
    if (!source) return;
    body.modules?.forEach((name, i) => {
      if (!findModule(source, name)) ctx.addIssue({ code: 'custom', path: ['modules', i], message: `${body.source} has no module ${name}` });
    });
  })
  .meta({ id: 'StartSyncRequest' });

export const startSyncResponse = z
  .object({ jobId: z.string(), source: z.string(), modules: z.array(z.string()), full: z.boolean() })
  .meta({ id: 'StartSyncResponse' });

export const syncStatusQuery = z.object({ source: sourceName.optional().meta({ description: 'Only this source; every source when omitted' }) });

export const moduleSyncStatus = z
  .object({
    source: z.string(),
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
  .object({
    sources: z
      .array(z.object({ source: z.string(), configured: z.boolean().meta({ description: 'The tenant holds what this source needs (credentials)' }) }))
      .meta({ description: 'The sources listed in `modules`' }),
    modules: z.array(moduleSyncStatus),
  })
  .meta({ id: 'SyncStatus' });
