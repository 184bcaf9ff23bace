import { z } from 'zod';

// TODO(lead): fold into packages/config (vendorSchema / workerSchema) so it is parsed with the rest at boot.
export const syncSettingsSchema = z.object({
  // ServiceTitan's published limit is 60 requests/s per application; shared by every process per tenant.
  SERVICETITAN_REQUESTS_PER_SECOND: z.coerce.number().positive().max(1_000).default(60),
  // Default time between incremental passes of a tenant's module (sync_state.interval_seconds overrides).
  SYNC_INTERVAL_SECONDS: z.coerce.number().int().min(10).default(300),
  // A running pass silent this long gets its next-page job enqueued again (a no-op if it still exists).
  SYNC_STALLED_AFTER_SECONDS: z.coerce.number().int().min(30).default(600),
});

export type SyncSettings = z.output<typeof syncSettingsSchema>;

export function loadSyncSettings(env: NodeJS.ProcessEnv = process.env): SyncSettings {
  const parsed = syncSettingsSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) throw new Error(`Invalid sync settings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
