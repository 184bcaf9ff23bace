import { z } from 'zod';
import { checkConditions } from '../definition/check-conditions.js';
import { firstFailedCondition } from '../definition/evaluate-conditions.js';
import { conditionSchema, stepId } from '../definition/step-fields.js';
import { defineStep } from './step-kind.js';

/** Goes to `then` when every condition on the subject holds, else to `else`. */
export const branchStep = defineStep({
  type: 'branch',
  schema: z.strictObject({
    id: stepId,
    type: z.literal('branch'),
    if: z.array(conditionSchema).min(1).max(20),
    then: stepId,
    else: stepId,
  }),
  successors: (step) => [step.then, step.else],
  check: (step, { subject, path }) => checkConditions(step.if, subject, `${path}.if`),
  execute: async ({ step, subject }) => {
    const failed = firstFailedCondition(step.if, subject.vars);
    return { kind: 'next', outcome: { branch: failed ? 'else' : 'then', ...(failed ? { failed } : {}) }, next: failed ? step.else : step.then };
  },
  preview: (step, { subject }) => {
    const branch = firstFailedCondition(step.if, subject.vars) ? 'else' : 'then';
    return { branch, next: branch === 'then' ? step.then : step.else };
  },
});
