import { randomUUID } from 'node:crypto';
import { findConsent, lockConsent, queuedSendsTo, recordConsent, transitionMessage, type ConsentChange, type ConsentRow, type Database, type Transaction } from '@fieldhand/db';
import type { Logger } from '@fieldhand/observability';
import { flushOutbox, writeOutbox, type FieldhandCatalog, type JobBus } from '@fieldhand/queues';
import { emitSmsEvent } from './sms-events.js';

type ConsentDeps = { db: Database; bus: JobBus<FieldhandCatalog>; logger: Logger };

/**
 * Every consent change (an inbound STOP/START, an operator's): waits for sends to this
 * number already talking to Twilio, then records the change; none start after the
 * caller's transaction commits. The caller's transaction also holds the job that
 * follows the change up (followUpConsent): the inbound text's inbox row, or the outbox.
 */
export async function changeConsent(tx: Transaction, change: ConsentChange): Promise<ConsentRow> {
  await lockConsent(tx, change.tenantId, change.phone, 'exclusive');
  return recordConsent(tx, change);
}

/**
 * A consent change that comes with no job of its own (an operator's PUT …/consent):
 * its follow-up is written to the outbox in the same transaction, so an opt-out that
 * committed stops the number's sends and workflow runs even if Redis is down now.
 */
export async function setConsent(deps: ConsentDeps, change: ConsentChange): Promise<ConsentRow> {
  // Nothing keeps the current consent here, so the change is always recorded.
  return (await setConsentUnless(deps, change, () => false)).consent!;
}

/**
 * An opt-in from GoHighLevel (its SMS DND lifted) may only undo an opt-out GoHighLevel
 * made: a customer's STOP, an operator's opt-out or a carrier's refusal stand. Decided
 * under the number's consent lock, so a STOP arriving meanwhile is never overwritten.
 */
export async function setConsentFromGhl(deps: ConsentDeps, change: Omit<ConsentChange, 'source'>): Promise<{ consent: ConsentRow | undefined; changed: boolean }> {
  return setConsentUnless(deps, { ...change, source: 'ghl' }, (current) => {
    if ((current?.smsOptOut ?? false) === change.optOut) return true;
    return !change.optOut && current?.smsOptOut === true && current.source !== 'ghl';
  });
}

/** Records the change with its follow-up unless `keep(current)` says the current consent stands. */
async function setConsentUnless(deps: ConsentDeps, change: ConsentChange, keep: (current: ConsentRow | undefined) => boolean): Promise<{ consent: ConsentRow | undefined; changed: boolean }> {
  const eventId = `consent-${randomUUID()}`;
  const result = await deps.db.transaction(async (tx) => {
    await lockConsent(tx, change.tenantId, change.phone, 'exclusive');
    const current = await findConsent(tx, change.tenantId, change.phone);
    if (keep(current)) return { consent: current, outbox: undefined };
    const consent = await changeConsent(tx, change);
    const outbox = await writeOutbox(tx, deps.bus.catalog, [
      { name: 'sms.consent-changed', data: { tenantId: change.tenantId, phone: change.phone, optedOut: change.optOut, eventId }, jobId: `sms-${eventId}`, tenantId: change.tenantId },
    ]);
    return { consent, outbox };
  });
  if (!result.outbox) return { consent: result.consent, changed: false };
  await flushOutbox(deps.bus, result.outbox).catch((err: unknown) => deps.logger.warn({ err }, 'could not enqueue a consent follow-up; the outbox reconciler will'));
  return { consent: result.consent, changed: true };
}

export type ConsentFollowUp = { tenantId: string; phone: string; optedOut: boolean; eventId: string; messageId?: string };

/**
 * What may wait for a worker after a consent change: queued sends to an opted-out number
 * are canceled (the send worker would refuse them anyway), and the workflows hear of it,
 * so runs that stop on an opt-out stop.
 */
export async function followUpConsent(deps: Omit<ConsentDeps, 'logger'>, change: ConsentFollowUp, eventJobId: string): Promise<{ canceled: number; event: 'sms.opted_out' | 'sms.opted_in' }> {
  let canceled = 0;
  if (change.optedOut) {
    for (const id of await queuedSendsTo(deps.db, change.tenantId, change.phone)) {
      if (await transitionMessage(deps.db, id, ['queued'], { status: 'canceled', source: 'consent', errorMessage: 'recipient opted out' })) canceled++;
    }
  }
  const type = change.optedOut ? 'sms.opted_out' : 'sms.opted_in';
  await emitSmsEvent(
    deps.bus,
    { tenantId: change.tenantId, eventId: change.eventId, type, phone: change.phone, ...(change.messageId ? { messageId: change.messageId } : {}) },
    eventJobId,
  );
  return { canceled, event: type };
}
