import { findTenant } from '@fieldhand/db';
import type { Definition } from '../definition/definition-schema.js';
import { firstFailedCondition, type FailedCondition } from '../definition/evaluate-conditions.js';
import { EVENT_SUBJECTS } from '../definition/variables.js';
import { stepKindOf } from '../steps/index.js';
import { loadSubject } from '../subjects/load-subject.js';
import { nowOf, type WorkflowDeps } from '../workflow-deps.js';

export type DryRunStep = { stepId: string; type: string; at: string; text?: string; branch?: 'then' | 'else'; error?: string };
export type DryRunResult = {
  subject: { type: string; id: string; found: boolean; vars: Record<string, unknown> };
  wouldTrigger: boolean;
  failed: FailedCondition | null;
  timeline: DryRunStep[];
};

// Definitions are acyclic and at most 100 steps (checked on save); more is a corrupt document.
const MAX_STEPS = 200;

/**
 * What a definition would do for a subject as it is now: whether the trigger's
 * conditions hold, and the steps it would take with their times and texts.
 * Nothing is written and nothing is sent.
 */
export async function dryRun(deps: WorkflowDeps, tenantId: string, def: Omit<Definition, 'version'>, subjectId: string): Promise<DryRunResult> {
  const subjectType = EVENT_SUBJECTS[def.trigger.event]!;
  const subject = await loadSubject(deps.db, tenantId, subjectType, subjectId);
  const tenant = (await findTenant(deps.db, tenantId)) ?? { timezone: 'UTC', twilio: null };
  const failed = firstFailedCondition(def.trigger.conditions, subject.vars) ?? null;
  const vars = Object.fromEntries(Object.entries(subject.vars).filter((e): e is [string, string | number] => e[1] !== null));
  const timeline: DryRunStep[] = [];
  let at = nowOf(deps);
  for (let current: string | null = def.start; current !== null; ) {
    const step = def.steps.find((s) => s.id === current);
    if (!step) throw new Error(`${def.key}: step ${current} does not exist`);
    if (timeline.length === MAX_STEPS) throw new Error(`${def.key}: more than ${MAX_STEPS} steps; the steps form a loop`);
    // An unknown step kind throws here rather than ending the timeline early.
    const { next, resumeAt, ...seen } = stepKindOf(step).preview(step, { tenant, subject, vars, at });
    timeline.push({ stepId: step.id, type: step.type, at: at.toISOString(), ...seen });
    if (resumeAt) at = resumeAt;
    current = next;
  }
  return { subject: { type: subjectType, id: subjectId, found: subject.found, vars: subject.vars }, wouldTrigger: subject.found && !failed, failed, timeline };
}
