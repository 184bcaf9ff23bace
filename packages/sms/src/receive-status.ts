import type { CallbackScope, Database, InboxJob } from '@fieldhand/db';
import { flushOutbox, jobCatalog, recordInbox, type FieldhandCatalog, type JobBus } from '@fieldhand/queues';
import { applyReportedStatus } from './apply-reported-status.js';
import { ledgerStatus } from './twilio-status.js';

export const STATUS_PROVIDER = 'twilio-status';

/**
 * Applies a verified status callback to the messages of `scope` only. A status for a
 * SID not yet stored (Twilio can call back before our send commits it) is kept in the
 * inbox, and its sms.status job retries it: the answer is that row, to enqueue. A final
 * status's `message.status` event is enqueued through `bus` when given, else by the
 * outbox reconciler.
 */
export async function receiveStatus(
  db: Database,
  scope: CallbackScope,
  params: Record<string, string>,
  correlationId: string,
  bus?: JobBus<FieldhandCatalog>,
): Promise<InboxJob | undefined> {
  const sid = params['MessageSid'];
  const twilioStatus = params['MessageStatus'] ?? params['SmsStatus'];
  if (!sid || !twilioStatus) return undefined;
  const status = ledgerStatus(twilioStatus);
  const code = params['ErrorCode'] ? Number(params['ErrorCode']) : null;
  const errorCode = Number.isInteger(code) ? code : null;
  const { outcome, outbox } = await applyReportedStatus(db, scope, sid, status, errorCode);
  // The callback is applied and committed; Redis down now leaves the event to the reconciler.
  if (bus && outbox.length > 0) await flushOutbox(bus, outbox).catch(() => 0);
  if (outcome !== 'unknown') return undefined;
  const tenantId = 'tenantId' in scope ? scope.tenantId : null;
  return recordInbox(db, jobCatalog, {
    provider: STATUS_PROVIDER,
    externalId: `${tenantId ?? 'deployment'}:${sid}:${status}`,
    tenantId,
    name: 'sms.status',
    data: { tenantId, messageSid: sid, status, errorCode },
    correlationId,
  });
}
