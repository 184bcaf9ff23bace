import { z } from 'zod';
import { stepSchema } from '../steps/index.js';
import { conditions, stepId } from './step-fields.js';
import { TRIGGER_EVENTS } from './variables.js';

export type { Step } from '../steps/index.js';

const reentrySchema = z.discriminatedUnion('policy', [
  // At most one run per subject, ever.
  z.strictObject({ policy: z.literal('once'), per: z.enum(['subject', 'customer']).default('subject') }),
  // A new run only when no run for the subject is active.
  z.strictObject({ policy: z.literal('one_at_a_time'), per: z.enum(['subject', 'customer']).default('subject') }),
  // Again once `days` have passed since the last run started.
  z.strictObject({ policy: z.literal('again_after'), days: z.number().positive().max(3650), per: z.enum(['subject', 'customer']).default('subject') }),
]);

const stopConditionSchema = z.strictObject({
  event: z.enum(TRIGGER_EVENTS),
  // Which of the run's cancel keys the event must share: its subject, its phone or its customer.
  match: z.enum(['subject', 'phone', 'customer']),
  conditions,
  reason: z.string().min(1).max(200).optional(),
});

/**
 * The workflow document an author sends (the server assigns the version), strict
 * everywhere: an unknown field is a mistake the author should hear about on save, not
 * a setting silently ignored. Each step's own fields are its kind's schema, in the
 * step registry (steps/index.ts).
 */
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
