import { DateTime, Duration } from 'luxon';
import { z } from 'zod';
import type { TenantRow } from '@fieldhand/db';
import { DEFAULT_SEND_WINDOW, nextSendTime, recipientWindow } from '@fieldhand/sms';
import { isoDuration, stepId } from '../definition/step-fields.js';
import { SUBJECT_VARIABLES, type SubjectVars } from '../definition/variables.js';
import { defineStep } from './step-kind.js';

const schema = z
  .strictObject({
    id: stepId,
    type: z.literal('wait'),
    // Either a fixed duration, or until a time variable of the subject plus an offset.
    duration: isoDuration.optional(),
    until: z.strictObject({ field: z.string().min(1).max(64), offset: isoDuration.default('PT0S') }).optional(),
    // Move the wake-up to the next opening of the recipient's send window.
    snapToSendWindow: z.boolean().default(false),
    next: stepId.optional(),
  })
  .refine((s) => (s.duration === undefined) !== (s.until === undefined), { message: 'give exactly one of duration or until' });

type WaitStep = z.output<typeof schema>;

/** When a wait ends: now + duration, or a time of the subject + offset (never before now), optionally snapped into the send window. */
function waitUntil(step: WaitStep, vars: SubjectVars, now: Date, recipient: { tenant: Pick<TenantRow, 'timezone' | 'twilio'>; phone: string | null; state: string | null }): Date {
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
export const waitStep = defineStep({
  type: 'wait',
  schema,
  successors: (step) => (step.next ? [step.next] : []),
  check: (step, { subject, path }) => {
    if (!step.until) return [];
    const kind = SUBJECT_VARIABLES[subject][step.until.field];
    if (kind === 'time') return [];
    return [{ path: `${path}.until.field`, message: kind ? `${step.until.field} is not a time` : `unknown variable ${step.until.field} for a ${subject}` }];
  },
  execute: async ({ tenant, run, step, subject, now }) => {
    const until = waitUntil(step, subject.vars, now, { tenant, phone: run.phone, state: subject.locationState });
    return { kind: 'next', outcome: { until: until.toISOString() }, next: step.next ?? null, dueAt: until };
  },
  preview: (step, { tenant, subject, at }) => ({
    next: step.next ?? null,
    resumeAt: waitUntil(step, subject.vars, at, { tenant, phone: subject.phone, state: subject.locationState }),
  }),
});
