import { saveReminderSettings, type Database } from '@fieldhand/db';
import type { Logger } from '@fieldhand/observability';
import { flushOutbox, writeOutbox, type FieldhandCatalog, type JobBus } from '@fieldhand/queues';
import { loadReminderSettings, type ReminderSettings } from './settings.js';

/**
 * Replaces a tenant's reminder settings and, in the same transaction, the re-plan of its
 * upcoming visits (an outbox row): new offsets, exclusions or "off" reach every planned
 * reminder even if Redis is away at that moment (the outbox reconciler enqueues it then).
 */
export async function saveSettings(deps: { db: Database; bus: JobBus<FieldhandCatalog>; logger: Logger }, tenantId: string, settings: ReminderSettings): Promise<ReminderSettings> {
  const outbox = await deps.db.transaction(async (tx) => {
    await saveReminderSettings(tx, tenantId, settings);
    return writeOutbox(tx, deps.bus.catalog, [{ name: 'reminders.plan-tenant', jobId: `rem-plan-${tenantId}-${Date.now()}`, tenantId, data: { tenantId } }]);
  });
  await flushOutbox(deps.bus, outbox).catch((err: unknown) => deps.logger.warn({ err, tenantId }, 'could not enqueue the re-plan after a settings change; the outbox reconciler will'));
  return loadReminderSettings(deps.db, tenantId);
}
