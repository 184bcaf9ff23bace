import type { TenantRow } from '@fieldhand/db';
import type { Step, StepType } from '../definition/definition-schema.js';
import type { RunRow } from '../store/runs.js';
import type { Subject } from '../subjects/load-subject.js';
import type { WorkflowDeps } from '../workflow-deps.js';

export type StepContext<S extends Step = Step> = {
  deps: WorkflowDeps;
  tenant: TenantRow;
  run: RunRow;
  step: S;
  subject: Subject;
  now: Date;
  /** The run's first step: new work, which yields to steps of runs already under way. */
  first: boolean;
};

/**
 * What a step did. `next` null ends the run; `fail` marks it failed (replayable)
 * without retrying; `cancel` stops it with a reason. Throwing means "retry".
 */
export type StepResult =
  | { kind: 'next'; outcome: Record<string, unknown>; next: string | null; dueAt?: Date }
  | { kind: 'fail'; error: string; outcome?: Record<string, unknown> }
  | { kind: 'cancel'; reason: string; outcome?: Record<string, unknown> };

export type StepExecutor<T extends StepType = StepType> = (ctx: StepContext<Extract<Step, { type: T }>>) => Promise<StepResult>;
