import type { z } from 'zod';
import type { TenantRow, WorkflowRunRow } from '@fieldhand/db';
import type { DefinitionIssue } from '../definition/check-conditions.js';
import type { SubjectType } from '../definition/variables.js';
import type { Subject } from '../subjects/load-subject.js';
import type { WorkflowDeps } from '../workflow-deps.js';

export type StepContext<S> = {
  deps: WorkflowDeps;
  tenant: TenantRow;
  run: WorkflowRunRow;
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

/** What a dry run knows when it reaches a step: the subject as stored now, and the time the step would run. */
export type PreviewContext = {
  tenant: Pick<TenantRow, 'timezone' | 'twilio'>;
  subject: Subject;
  /** The subject's variables that have a value, as a template receives them. */
  vars: Record<string, string | number>;
  at: Date;
};

/** What the step would do, without doing it; `resumeAt` delays the steps after it. */
export type StepPreview = { next: string | null; resumeAt?: Date; text?: string; branch?: 'then' | 'else'; error?: string };

/** Everything the engine does with a step, given the step. Methods, so a kind of one step is a behaviour of any step. */
export type StepBehaviour<S> = {
  /** The steps it may go to next: checked to exist, to be reachable and to form no loop. */
  successors(step: S): string[];
  /** Save-time checks beyond its schema (variables of the trigger's subject); `path` is the step's place in the document. */
  check?(step: S, at: { subject: SubjectType; path: string }): DefinitionIssue[];
  execute(ctx: StepContext<S>): Promise<StepResult>;
  preview(step: S, ctx: PreviewContext): StepPreview;
};

/** A kind of step: the schema of its part of the document, and its behaviour. */
export type StepKind<Schema extends z.ZodType<{ id: string; type: string }>> = StepBehaviour<z.output<Schema>> & {
  type: z.output<Schema>['type'];
  schema: Schema;
};

export const defineStep = <Schema extends z.ZodType<{ id: string; type: string }>>(kind: StepKind<Schema>): StepKind<Schema> => kind;
