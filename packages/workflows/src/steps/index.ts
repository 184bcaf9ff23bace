import { z } from 'zod';
import { branchStep } from './branch.step.js';
import { endStep } from './end.step.js';
import { sendSmsStep } from './send-sms.step.js';
import type { StepBehaviour } from './step-kind.js';
import { waitStep } from './wait.step.js';

/**
 * The step registry: a kind of step is added here and in its own `<kind>.step.ts`
 * (its schema, save-time checks, executor and dry-run preview), and nowhere else.
 */
const STEP_KINDS = [sendSmsStep, waitStep, branchStep, endStep] as const;

// Generic, so the mapped type of a tuple is a tuple, as z.discriminatedUnion needs.
type SchemasOf<Kinds extends readonly unknown[]> = { -readonly [K in keyof Kinds]: Kinds[K] extends { schema: infer S } ? S : never };

/** A step of the workflow document, of any registered kind. */
export const stepSchema = z.discriminatedUnion('type', STEP_KINDS.map((kind) => kind.schema) as unknown as SchemasOf<typeof STEP_KINDS>);
export type Step = z.output<typeof stepSchema>;
type StepType = Step['type'];

export const STEP_TYPES: readonly StepType[] = STEP_KINDS.map((kind) => kind.type);

const byType = new Map<string, StepBehaviour<Step>>(STEP_KINDS.map((kind) => [kind.type, kind]));

/** The behaviour of a step's kind. A stored document is not parsed again when read, so a kind no longer registered throws here. */
export function stepKindOf(step: Step): StepBehaviour<Step> {
  const kind = byType.get(step.type);
  if (!kind) throw new Error(`unknown step kind ${String(step.type)} (step ${step.id})`);
  return kind;
}
