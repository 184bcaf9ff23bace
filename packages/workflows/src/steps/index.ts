import type { StepType } from '../definition/definition-schema.js';
import { branchStep, endStep } from './branch.step.js';
import { sendSmsStep } from './send-sms.step.js';
import type { StepExecutor } from './step-executor.js';
import { waitStep } from './wait.step.js';

/** One executor per step type; a new step type (GHL) adds its schema and an entry here. */
export const STEP_EXECUTORS: { [T in StepType]: StepExecutor<T> } = {
  send_sms: sendSmsStep,
  wait: waitStep,
  branch: branchStep,
  end: endStep,
};
