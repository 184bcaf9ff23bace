import { statusAfterSendsInFlight, storedTwilioSids, transitionMessage, type MessageRow, type TenantRow } from '@fieldhand/db';
import { maskPhone } from '@fieldhand/observability';
import { flushOutbox } from '@fieldhand/queues';
import { messageHeldEvent, messageStatusEvent, writeEvents } from './message-events.js';
import type { SendOutcome } from './send-message.js';
import { twilioCredentials, type SmsDeps } from './sms-deps.js';
import { ledgerStatus } from './twilio-status.js';

// Clock skew between us and Twilio, and the second-precision of its DateSent filter.
const WINDOW_SLACK_MS = 120_000;

/**
 * Settles a text left `sending` by an attempt that died (or timed out) after claiming it.
 * An attempt still in flight is waited for first, and what it settled is final.
 * Twilio has no idempotency key, so we look for the message in Twilio's list
 * (same To and body, sent since the claim) and adopt it; if it is not there we
 * cannot tell "never sent" from "not listed yet", so the row goes to `unknown`
 * for an operator: a held message is better than a duplicate.
 */
export async function adoptOrHold(deps: SmsDeps, tenant: TenantRow, message: MessageRow): Promise<SendOutcome> {
  // An attempt holds the number's shared consent lock from its consent check until Twilio
  // answers, so this waits for it: a twin of a stalled job (BullMQ runs one again when a
  // lock renewal is missed) must not hold for an operator a text its other half is sending.
  // An attempt that died let go of the lock with its connection.
  const settled = await statusAfterSendsInFlight(deps.db, message);
  if (settled === 'queued') throw new Error(`Message ${message.id} was handed back for a retry by the attempt this one waited for`);
  if (settled !== 'sending') return 'already-final';
  const credentials = twilioCredentials(tenant, deps.settings);
  const claimedAt = message.claimedAt ?? message.updatedAt;
  if (credentials) {
    const listed = await deps.twilio.get(credentials).messages.list({
      to: message.to,
      dateSentAfter: new Date(claimedAt.getTime() - WINDOW_SLACK_MS),
      pageSize: 100,
      limit: 500,
    });
    const candidates = listed.filter((m) => m.body === message.body && m.direction !== 'inbound');
    const owned = await storedTwilioSids(deps.db, candidates.map((m) => m.sid));
    // Oldest first: the first unowned match is the one this row's attempt created.
    const match = candidates.filter((m) => !owned.has(m.sid)).sort((a, b) => a.dateCreated.getTime() - b.dateCreated.getTime())[0];
    if (match) {
      try {
        // Adopted already final (delivered, undelivered, failed): its `message.status` goes with it.
        const adopted = await deps.db.transaction(async (tx) => {
          const row = await transitionMessage(tx, message.id, ['sending'], {
            status: ledgerStatus(match.status),
            source: 'adopted',
            twilioSid: match.sid,
            from: match.from,
            errorCode: match.errorCode ?? null,
          });
          return row ? { row, outbox: await writeEvents(tx, [messageStatusEvent(row, row.status, row.errorCode ?? null)]) } : undefined;
        });
        if (adopted) {
          await flushOutbox(deps.bus, adopted.outbox).catch((err: unknown) => deps.logger.warn({ err }, 'could not enqueue a message.status event; the outbox reconciler will'));
          deps.logger.info({ messageId: message.id, sid: match.sid }, 'adopted a message an earlier attempt had sent');
          return 'adopted';
        }
        return 'claimed-elsewhere';
      } catch (error) {
        // Another row adopted the same SID first (unique key): this one stays unresolved.
        if ((error as { code?: string }).code !== '23505') throw error;
      }
    }
  }
  const reason = 'an earlier attempt may have reached Twilio and no matching message was found; not resent';
  // Held and reported together (`message.held`, id msg-<id>-held): a person must look.
  const outbox = await deps.db.transaction(async (tx) => {
    const held = await transitionMessage(tx, message.id, ['sending'], { status: 'unknown', source: 'reconcile', errorMessage: reason });
    return held ? writeEvents(tx, [messageHeldEvent(held, reason)]) : [];
  });
  await flushOutbox(deps.bus, outbox).catch((err: unknown) => deps.logger.warn({ err }, 'could not enqueue a message.held event; the outbox reconciler will'));
  deps.logger.warn({ messageId: message.id, to: maskPhone(message.to) }, 'message outcome unknown; held for an operator instead of resending');
  return 'unknown';
}
