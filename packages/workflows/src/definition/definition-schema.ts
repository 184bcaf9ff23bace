import { z } from 'zod';
import { TRIGGER_EVENTS } from './variables.js';

/**
 * The workflow document, strict everywhere: an unknown field is a mistake the
 * author should hear about on save, not a setting silently ignored.
 */
export const CONDITION_OPS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'not_in', 'exists', 'not_exists'] as const;

const scalar = z.union([z.string(), z.number(), z.boolean()]);

export const conditionSchema = z.strictObject({
  field: z.string().min(1).max(64),
  op: z.enum(CONDITION_OPS),
  value: z.union([scalar, z.array(scalar).min(1).max(50)]).optional(),
});
export type Condition = z.infer<typeof conditionSchema>;

const conditions = z.array(conditionSchema).max(20).default([]);

// Step ids become part of BullMQ job ids and ledger idempotency keys.
export const stepId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and - only (at most 64)');

const isoDuration = z.string().regex(/^-?P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/, 'an ISO-8601 duration such as P1D, PT2H or PT10S');

const sendSmsStep = z.strictObject({
  id: stepId,
  type: z.literal('send_sms'),
  template: z.string().min(1).max(1600),
  next: stepId.optional(),
});

const waitStep = z
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

const branchStep = z.strictObject({
  id: stepId,
  type: z.literal('branch'),
  if: z.array(conditionSchema).min(1).max(20),
  then: stepId,
  else: stepId,
});

const endStep = z.strictObject({ id: stepId, type: z.literal('end') });

/** New step types (GHL in a later issue) add a schema here and an executor in steps/. */
export const stepSchema = z.discriminatedUnion('type', [sendSmsStep, waitStep, branchStep, endStep]);
export type Step = z.infer<typeof stepSchema>;
export type StepType = Step['type'];

export const reentrySchema = z.discriminatedUnion('policy', [
  // At most one run per subject, ever.
  z.strictObject({ policy: z.literal('once'), per: z.enum(['subject', 'customer']).default('subject') }),
  // A new run only when no run for the subject is active.
  z.strictObject({ policy: z.literal('one_at_a_time'), per: z.enum(['subject', 'customer']).default('subject') }),
  // Again once `days` have passed since the last run started.
  z.strictObject({ policy: z.literal('again_after'), days: z.number().positive().max(3650), per: z.enum(['subject', 'customer']).default('subject') }),
]);
export type Reentry = z.infer<typeof reentrySchema>;

export const stopConditionSchema = z.strictObject({
  event: z.enum(TRIGGER_EVENTS),
  // Which of the run's cancel keys the event must share: its subject, its phone or its customer.
  match: z.enum(['subject', 'phone', 'customer']),
  conditions,
  reason: z.string().min(1).max(200).optional(),
});
export type StopCondition = z.infer<typeof stopConditionSchema>;

/** What an author sends; the server assigns the version. */
export const definitionInputSchema = z.strictObject({
  key: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and -'),
  name: z.string().min(1).max(200),
  description: z.string().max(2000).optional(),
  trigger: z.strictObject({ event: z.enum(TRIGGER_EVENTS), conditions }),
  reentry: reentrySchema,
  stopWhen: z.array(stopConditionSchema).max(20).default([]),
  start: stepId,
  steps: z.array(stepSchema).min(1).max(100),
});
export type DefinitionInput = z.input<typeof definitionInputSchema>;
export type Definition = z.output<typeof definitionInputSchema> & { version: number };
