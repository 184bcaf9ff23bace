import { z } from 'zod';
import { stepId } from '../definition/step-fields.js';
import { defineStep } from './step-kind.js';

/** Completes the run. */
export const endStep = defineStep({
  type: 'end',
  schema: z.strictObject({ id: stepId, type: z.literal('end') }),
  successors: () => [],
  execute: async () => ({ kind: 'next', outcome: {}, next: null }),
  preview: () => ({ next: null }),
});
