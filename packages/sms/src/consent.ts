import { randomUUID } from 'node:crypto';
import { findConsent, lockConsent, queuedSendsTo, recordConsent, transitionMessage, type ConsentChange, type ConsentRow, type Database, type Executor, type OutboxRow, type Transaction } from '@fieldhand/db';
import { eventJob } from '@fieldhand/events';
import type { Logger } from '@fieldhand/observability';
import { flushOutbox, jobCatalog, writeOutbox, type FieldhandCatalog, type JobBus } from '@fieldhand/queues';
import { eventJobId, reportable } from './message-events.js';
import { emitSmsEvent } from './sms-events.js';

type ConsentDeps = { db: Database; bus: JobBus<FieldhandCatalog>; logger: Logger };

export type RecordedConsent = { consent: ConsentRow; outbox: OutboxRow[] };

/** The id of the consent event a change reports; `changeId` comes from the fact (the inbound text, the operator's change). */
export const consentEventJobId = (changeId: string): string => eventJobId(`consent-${changeId}`);

/**
 * Every consent change (an inbound STOP/START, an operator's, GoHighLevel's): waits for
 * sends to this number already talking to Twilio, then records the change; none start
 * after the caller's transaction commits. The caller's transaction also holds the job that
 * follows the change up (followUpConsent): the inbound text's inbox row, or the outbox.
 */
export async function changeConsent(tx: Transaction, change: ConsentChange, changeId: string): Promise<RecordedConsent> {
  await lockConsent(tx, change.tenantId, change.phone, 'exclusive');
  return recordConsentChange(tx, change, changeId);
}

/**
 * Records a change and, when it turns the number's consent around, its
 * `consent.opted_out`/`consent.opted_in` event in the same transaction: the one place
 * every path (STOP, an operator, a carrier's 21610, GoHighLevel) reports through. The
 * caller holds the number's consent lock (changeConsent, or a send's consent gate).
 */
export async function recordConsentChange(tx: Executor, change: ConsentChange, changeId: string): Promise<RecordedConsent> {
  const before = await findConsent(tx, change.tenantId, change.phone);
  const consent = await recordConsent(tx, change);
  if ((before?.smsOptOut ?? false) === change.optOut || !reportable(change.phone)) return { consent, outbox: [] };
  const type = change.optOut ? 'consent.opted_out' : 'consent.opted_in';
  const event = eventJob(change.tenantId, type, { phone: change.phone, source: change.source, keyword: change.keyword }, { id: `consent-${changeId}`, at: consent.changedAt });
  return { consent, outbox: await writeOutbox(tx, jobCatalog, [event]) };
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
  const changeId = randomUUID();
  const eventId = `consent-${changeId}`;
  const result = await deps.db.transaction(async (tx) => {
    await lockConsent(tx, change.tenantId, change.phone, 'exclusive');
    const current = await findConsent(tx, change.tenantId, change.phone);
    if (keep(current)) return { consent: current, outbox: undefined };
    const recorded = await changeConsent(tx, change, changeId);
    const outbox = await writeOutbox(tx, deps.bus.catalog, [
      { name: 'sms.consent-changed', data: { tenantId: change.tenantId, phone: change.phone, optedOut: change.optOut, eventId }, jobId: `sms-${eventId}`, tenantId: change.tenantId },
    ]);
    return { consent: recorded.consent, outbox: [...outbox, ...recorded.outbox] };
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
