import type { Database, InboxJob } from '@fieldhand/db';
import { jobCatalog, recordInbox } from '@fieldhand/queues';
import type { GhlWebhook } from './verify-webhook.js';

export const GHL_WEBHOOK_PROVIDER = 'ghl';

/**
 * Stores a verified webhook and its `ghl.webhook` job in the inbox, unique on GHL's
 * webhookId: a repeated delivery stores nothing (undefined) and is answered 200 like
 * the first.
 */
export function receiveGhlWebhook(db: Database, tenantId: string, webhook: GhlWebhook, correlationId: string): Promise<InboxJob | undefined> {
  return recordInbox(db, jobCatalog, {
    provider: GHL_WEBHOOK_PROVIDER,
    externalId: webhook.webhookId,
    tenantId,
    name: 'ghl.webhook',
    data: { tenantId, webhookId: webhook.webhookId, type: webhook.type, event: webhook },
    correlationId,
  });
}
