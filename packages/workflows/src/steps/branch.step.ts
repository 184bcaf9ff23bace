import { firstFailedCondition } from '../definition/evaluate-conditions.js';
import type { StepExecutor } from './step-executor.js';

export const branchStep: StepExecutor<'branch'> = async ({ step, subject }) => {
  const failed = firstFailedCondition(step.if, subject.vars);
  return { kind: 'next', outcome: { branch: failed ? 'else' : 'then', ...(failed ? { failed } : {}) }, next: failed ? step.else : step.then };
};

export const endStep: StepExecutor<'end'> = async () => ({ kind: 'next', outcome: {}, next: null });
