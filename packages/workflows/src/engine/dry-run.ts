import { findTenant } from '@fieldhand/db';
import { renderTemplate, TemplateError } from '@fieldhand/sms';
import type { Definition } from '../definition/definition-schema.js';
import { firstFailedCondition, type FailedCondition } from '../definition/evaluate-conditions.js';
import { EVENT_SUBJECTS } from '../definition/variables.js';
import { waitUntil } from '../steps/wait.step.js';
import { loadSubject } from '../subjects/load-subject.js';
import { nowOf, type WorkflowDeps } from '../workflow-deps.js';

export type DryRunStep = { stepId: string; type: string; at: string; text?: string; branch?: 'then' | 'else'; error?: string };
export type DryRunResult = {
  subject: { type: string; id: string; found: boolean; vars: Record<string, unknown> };
  wouldTrigger: boolean;
  failed: FailedCondition | null;
  timeline: DryRunStep[];
};

/**
 * What a definition would do for a subject as it is now: whether the trigger's
 * conditions hold, and the steps it would take with their times and texts.
 * Nothing is written and nothing is sent.
 */
export async function dryRun(deps: WorkflowDeps, tenantId: string, def: Omit<Definition, 'version'>, subjectId: string): Promise<DryRunResult> {
  const subjectType = EVENT_SUBJECTS[def.trigger.event]!;
  const subject = await loadSubject(deps.db, tenantId, subjectType, subjectId);
  const tenant = await findTenant(deps.db, tenantId);
  const failed = firstFailedCondition(def.trigger.conditions, subject.vars) ?? null;
  const vars = Object.fromEntries(Object.entries(subject.vars).filter((e): e is [string, string | number] => e[1] !== null));
  const timeline: DryRunStep[] = [];
  let at = nowOf(deps);
  let current: string | undefined = def.start;
  // Definitions are acyclic (checked on save); the bound only guards a corrupt document.
  while (current && timeline.length < 200) {
    const step = def.steps.find((s) => s.id === current);
    if (!step) break;
    const entry: DryRunStep = { stepId: step.id, type: step.type, at: at.toISOString() };
    timeline.push(entry);
    current = undefined;
    if (step.type === 'wait') {
      at = waitUntil(step, subject.vars, at, { tenant: tenant ?? { timezone: 'UTC', twilio: null }, phone: subject.phone, state: subject.locationState });
      current = step.next;
    } else if (step.type === 'send_sms') {
      try {
        entry.text = renderTemplate(step.template, vars);
      } catch (error) {
        if (!(error instanceof TemplateError)) throw error;
        entry.error = error.message;
      }
      if (!subject.phone) entry.error = 'the customer has no textable phone number';
      current = step.next;
    } else if (step.type === 'branch') {
      entry.branch = firstFailedCondition(step.if, subject.vars) ? 'else' : 'then';
      current = entry.branch === 'then' ? step.then : step.else;
    }
  }
  return { subject: { type: subjectType, id: subjectId, found: subject.found, vars: subject.vars }, wouldTrigger: subject.found && !failed, failed, timeline };
}
