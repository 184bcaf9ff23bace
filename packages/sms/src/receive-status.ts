import { applyStatusCallback, type CallbackScope, type Database, type InboxJob } from '@fieldhand/db';
import { jobCatalog, recordInbox } from '@fieldhand/queues';
import { ledgerStatus } from './twilio-status.js';

export const STATUS_PROVIDER = 'twilio-status';

/**
 * Applies a verified status callback to the messages of `scope` only. A status for a
 * SID not yet stored (Twilio can call back before our send commits it) is kept in the
 * inbox, and its sms.status job retries it: the answer is that row, to enqueue.
 */
export async function receiveStatus(db: Database, scope: CallbackScope, params: Record<string, string>, correlationId: string): Promise<InboxJob | undefined> {
  const sid = params['MessageSid'];
  const twilioStatus = params['MessageStatus'] ?? params['SmsStatus'];
  if (!sid || !twilioStatus) return undefined;
  const status = ledgerStatus(twilioStatus);
  const code = params['ErrorCode'] ? Number(params['ErrorCode']) : null;
  const errorCode = Number.isInteger(code) ? code : null;
  if ((await applyStatusCallback(db, scope, sid, status, errorCode)) !== 'unknown') return undefined;
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
