import { DateTime, Duration } from 'luxon';
import type { TenantRow } from '@fieldhand/db';
import { DEFAULT_SEND_WINDOW, nextSendTime, recipientWindow } from '@fieldhand/sms';
import type { Step } from '../definition/definition-schema.js';
import type { SubjectVars } from '../definition/variables.js';
import type { StepExecutor } from './step-executor.js';

type WaitStep = Extract<Step, { type: 'wait' }>;

/** When a wait ends: now + duration, or a time of the subject + offset (never before now), optionally snapped into the send window. */
export function waitUntil(step: WaitStep, vars: SubjectVars, now: Date, recipient: { tenant: Pick<TenantRow, 'timezone' | 'twilio'>; phone: string | null; state: string | null }): Date {
  let until: Date;
  if (step.duration) {
    until = DateTime.fromJSDate(now).plus(Duration.fromISO(step.duration)).toJSDate();
  } else {
    const base = vars[step.until!.field];
    const at = base === null || base === undefined ? undefined : DateTime.fromISO(String(base));
    // A subject without the time (e.g. no completion time) is treated as "now".
    until = at?.isValid ? at.plus(Duration.fromISO(step.until!.offset)).toJSDate() : now;
    if (until < now) until = now;
  }
  if (step.snapToSendWindow) {
    const window = recipientWindow({ phone: recipient.phone ?? '', state: recipient.state }, recipient.tenant.timezone, recipient.tenant.twilio?.sendWindow ?? DEFAULT_SEND_WINDOW);
    until = nextSendTime(until, window.zone, window.window);
  }
  return until;
}

/** A wait ends at once; the step after it is enqueued as a delayed job due at `until`. */
export const waitStep: StepExecutor<'wait'> = async ({ tenant, run, step, subject, now }) => {
  const until = waitUntil(step, subject.vars, now, { tenant, phone: run.phone, state: subject.locationState });
  return { kind: 'next', outcome: { until: until.toISOString() }, next: step.next ?? null, dueAt: until };
};
