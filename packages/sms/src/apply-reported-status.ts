import { applyStatusCallback, findMessageBySid, type CallbackOutcome, type CallbackScope, type Database, type OutboxRow } from '@fieldhand/db';
import { isReportedStatus, messageStatusEvent, writeEvents } from './message-events.js';

/**
 * Applies a status callback and, when it moved the text to delivered, undelivered or
 * failed, writes its `message.status` event in the same transaction (id
 * `msg-<messageId>-<status>`): a callback repeated or arriving after another final
 * status reports nothing. The caller flushes `outbox` after the commit.
 */
export async function applyReportedStatus(
  db: Database,
  scope: CallbackScope,
  sid: string,
  status: string,
  errorCode: number | null,
): Promise<{ outcome: CallbackOutcome; outbox: OutboxRow[] }> {
  if (!isReportedStatus(status)) return { outcome: await applyStatusCallback(db, scope, sid, status, errorCode), outbox: [] };
  return db.transaction(async (tx) => {
    const outcome = await applyStatusCallback(tx, scope, sid, status, errorCode);
    if (outcome !== 'applied') return { outcome, outbox: [] };
    // Read under the row lock the update holds: the status this callback left, not a later one's.
    const message = await findMessageBySid(tx, scope, sid);
    if (message?.status !== status) return { outcome, outbox: [] };
    return { outcome, outbox: await writeEvents(tx, [messageStatusEvent(message, status, message.errorCode)]) };
  });
}
