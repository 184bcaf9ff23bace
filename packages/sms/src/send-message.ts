import { UnrecoverableError } from 'bullmq';
import {
  acceptedStatement,
  claimStatement,
  findSendable,
  openConsentGate,
  transitionMessage,
  type Executor,
  type MessageRow,
  type TenantRow,
} from '@fieldhand/db';
import { maskPhone } from '@fieldhand/observability';
import { flushOutbox } from '@fieldhand/queues';
import { nextSendTime, recipientWindow } from './quiet-hours.js';
import { exemptFromSendWindow } from './conversational-reply.js';
import { adoptOrHold } from './adopt-or-hold.js';
import { consentEventJobId, recordConsentChange } from './consent.js';
import { eventJobId, flushEventsById, messageStatusEvent, messageStatusEventId, writeEvents } from './message-events.js';
import { classifySendError, type SendFailure } from './send-errors.js';
import { publicUrl, statusCallbackPath, twilioCredentials, type SmsDeps } from './sms-deps.js';
import { emitSmsEvent } from './sms-events.js';

export type SendOutcome =
  | 'missing'
  | 'already-final'
  | 'deferred-quiet-hours'
  | 'expired'
  | 'throttled'
  | 'claimed-elsewhere'
  | 'canceled-opted-out'
  | 'accepted'
  | 'failed'
  | 'adopted'
  | 'unknown';

/** Sends one ledger row through Twilio, at most once. */
export async function sendMessage(deps: SmsDeps, data: { tenantId: string; messageId: string }): Promise<SendOutcome> {
  const found = await findSendable(deps.db, data.tenantId, data.messageId);
  if (!found) return 'missing';
  const { message, tenant } = found;
  // A row still `sending` means an earlier attempt may have reached Twilio: look, never resend blindly.
  if (message.status === 'sending') return adoptOrHold(deps, tenant, message);
  if (message.status !== 'queued') return 'already-final';

  const credentials = twilioCredentials(tenant, deps.settings);
  const sender = tenant.twilio?.from ?? tenant.twilio?.messagingServiceSid;
  if (!credentials || !sender) {
    // Failed for good, and reported like any failed text (`message.status`).
    const outbox = await deps.db.transaction(async (tx) => {
      const failed = await transitionMessage(tx, message.id, ['queued'], { status: 'failed', source: 'worker', errorMessage: 'tenant has no Twilio sender or credentials' });
      return failed ? writeEvents(tx, [messageStatusEvent(failed, 'failed', null)]) : [];
    });
    await flushOutbox(deps.bus, outbox).catch(() => 0);
    throw new UnrecoverableError(`Tenant ${tenant.id} has no Twilio sender or credentials`);
  }

  const now = deps.clock();
  const opening = (await exemptFromSendWindow(deps.db, message, now)) ? now : quietHoursOpening(tenant, message, now);
  if (message.sendBefore && opening.getTime() > message.sendBefore.getTime()) {
    // A reminder that cannot go before its appointment is worse than none.
    await transitionMessage(deps.db, message.id, ['queued'], { status: 'canceled', source: 'deadline', errorMessage: `could not be sent before ${message.sendBefore.toISOString()}` });
    deps.logger.info({ messageId: message.id, sendBefore: message.sendBefore.toISOString() }, 'text canceled: its deadline passed before it could go');
    return 'expired';
  }
  if (opening.getTime() > now.getTime()) {
    await transitionMessage(deps.db, message.id, ['queued'], { status: 'queued', source: 'quiet_hours', sendAfter: opening });
    await reschedule(deps, message, opening.getTime() - now.getTime());
    deps.logger.info({ messageId: message.id, sendAfter: opening.toISOString() }, 'outside the recipient send window; delayed to its next opening');
    return 'deferred-quiet-hours';
  }

  const wait = await deps.rateLimit.reserve(sender, message.segments, tenant.twilio?.segmentsPerSecond ?? deps.settings.segmentsPerSecond);
  if (wait > 0) {
    await reschedule(deps, message, wait + Math.floor(Math.random() * 250));
    return 'throttled';
  }

  const client = deps.twilio.get(credentials);
  let failure: SendFailure | undefined;
  let outcome: SendOutcome;
  // The claim commits first (a crash at Twilio leaves `sending`, which the retry looks up, never resends);
  // the gate is held until Twilio answers: an opt-out committing meanwhile waits for this send, never the reverse.
  const gate = await openConsentGate(deps.db, tenant.id, message.to, claimStatement(message.id));
  if (!gate.claimed) return 'claimed-elsewhere';
  try {
    if (gate.optedOut) {
      await transitionMessage(gate.tx, message.id, ['sending'], { status: 'canceled', source: 'consent', errorMessage: 'recipient opted out' });
      await gate.commit();
      return 'canceled-opted-out';
    }
    const attempt = await client.messages
      .create({
        to: message.to,
        body: message.body,
        ...(tenant.twilio?.from ? { from: tenant.twilio.from } : { messagingServiceSid: tenant.twilio!.messagingServiceSid! }),
        statusCallback: publicUrl(deps.settings, statusCallbackPath(tenant.id)),
      })
      .then((sent) => ({ sent }), (error: unknown) => ({ failure: classifySendError(error) }));
    if ('sent' in attempt) {
      // If this commit fails the row stays `sending`, and the retry adopts the message instead of resending.
      await gate.commit(acceptedStatement(message.id, attempt.sent.sid, attempt.sent.from ?? null));
      outcome = 'accepted';
    } else {
      failure = attempt.failure;
      outcome = await recordFailure(gate.tx, tenant, message, failure);
      await gate.commit();
    }
  } finally {
    await gate.release();
  }
  // Twilio's 21610 is an opt-out we learned of by sending: workflows hear of it as of an inbound STOP.
  if (failure?.kind === 'unsubscribed') await emitOptedOut(deps, message);
  if (failure?.kind === 'unsubscribed' || failure?.kind === 'permanent') await flushFailureEvents(deps, message);
  if (failure?.kind === 'retry' || failure?.kind === 'ambiguous') throw new Error(`Twilio send failed (${failure.kind}): ${failure.message}`);
  if (failure?.kind === 'permanent' && failure.code !== null && failure.code >= 20000 && failure.code < 21000) {
    // Credentials or account problems: an operator must see these in the dead letters.
    throw new UnrecoverableError(`Twilio refused the send: ${failure.message}`);
  }
  if (outcome === 'failed') deps.logger.warn({ messageId: message.id, to: maskPhone(message.to), code: failure && 'code' in failure ? failure.code : null }, 'send refused by Twilio');
  return outcome;
}

async function recordFailure(tx: Executor, tenant: TenantRow, message: MessageRow, failure: SendFailure): Promise<SendOutcome> {
  switch (failure.kind) {
    case 'unsubscribed':
      // Twilio knows the customer texted STOP (perhaps to a number we had not seen): believe it.
      // The gate holds the number's consent lock; the change reports itself (consent.opted_out).
      await recordConsentChange(tx, { tenantId: tenant.id, phone: message.to, optOut: true, keyword: null, source: 'twilio_21610' }, carrierChangeId(message.id));
      await recordRefusal(tx, message, failure.code, failure.message);
      return 'failed';
    case 'permanent':
      await recordRefusal(tx, message, failure.code, failure.message);
      return 'failed';
    case 'retry':
      // Twilio answered with an error, so it did not take the message: it may be sent again.
      await transitionMessage(tx, message.id, ['sending'], { status: 'queued', source: 'retry', errorCode: failure.code, errorMessage: failure.message });
      return 'failed';
    case 'ambiguous':
      // Stays `sending`: the next attempt looks the message up in Twilio before anything else.
      return 'failed';
  }
}

const carrierChangeId = (messageId: string) => `21610-${messageId}`;

/** A send Twilio refused for good is failed, and reported (message.status) in the same transaction. */
async function recordRefusal(tx: Executor, message: MessageRow, code: number | null, error: string): Promise<void> {
  const failed = await transitionMessage(tx, message.id, ['sending'], { status: 'failed', source: 'twilio', errorCode: code, errorMessage: error });
  if (failed) await writeEvents(tx, [messageStatusEvent(failed, 'failed', code)]);
}

/** The gate committed the refusal's events without the bus at hand: enqueue them now (else the outbox reconciler will). */
async function flushFailureEvents(deps: SmsDeps, message: MessageRow): Promise<void> {
  const ids = [eventJobId(messageStatusEventId(message.id, 'failed')), consentEventJobId(carrierChangeId(message.id))];
  await flushEventsById(deps, ids).catch((err: unknown) => deps.logger.warn({ err, messageId: message.id }, 'could not enqueue a refused send\'s events; the outbox reconciler will'));
}

async function emitOptedOut(deps: SmsDeps, message: MessageRow): Promise<void> {
  const event = { tenantId: message.tenantId, eventId: `sms-21610:${message.id}`, type: 'sms.opted_out' as const, phone: message.to, messageId: message.id };
  await emitSmsEvent(deps.bus, event, `sms-event-21610-${message.id}`);
}

function quietHoursOpening(tenant: TenantRow, message: MessageRow, now: Date): Date {
  const { zone, window } = recipientWindow(
    { phone: message.to, state: message.recipientState, timezone: message.recipientTimezone },
    tenant.timezone,
    tenant.twilio?.sendWindow,
  );
  const notBefore = message.sendAfter && message.sendAfter.getTime() > now.getTime() ? message.sendAfter : now;
  return nextSendTime(notBefore, zone, window);
}

async function reschedule(deps: SmsDeps, message: MessageRow, delayMs: number): Promise<void> {
  const runAt = Date.now() + delayMs;
  await deps.bus.enqueue('sms.send', { tenantId: message.tenantId, messageId: message.id }, { delay: delayMs, jobId: `sms-send-${message.id}-${runAt}` });
}
