import { stepKindOf } from '../steps/index.js';
import { checkConditions, type DefinitionIssue } from './check-conditions.js';
import { definitionInputSchema, type Definition, type Step } from './definition-schema.js';
import { EVENT_SUBJECTS } from './variables.js';

export type { DefinitionIssue };
export type ValidationResult = { ok: true; definition: Omit<Definition, 'version'> } | { ok: false; issues: DefinitionIssue[] };

const successors = (step: Step): string[] => stepKindOf(step).successors(step);

/**
 * Everything that can be checked before a run exists: shape (zod, strict), then
 * references (steps, variables, template placeholders), reachability and cycles.
 * All problems are reported at once so an author fixes them in one round.
 */
export function validateDefinition(input: unknown): ValidationResult {
  const parsed = definitionInputSchema.safeParse(input);
  if (!parsed.success) {
    return { ok: false, issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) };
  }
  const def = parsed.data;
  const issues: DefinitionIssue[] = [];
  const subject = EVENT_SUBJECTS[def.trigger.event]!;

  issues.push(...checkConditions(def.trigger.conditions, subject, 'trigger.conditions'));
  def.stopWhen.forEach((stop, i) => {
    // A stop event is about its own subject; its conditions read that subject's variables.
    issues.push(...checkConditions(stop.conditions, EVENT_SUBJECTS[stop.event]!, `stopWhen.${i}.conditions`));
    if (stop.match === 'subject' && EVENT_SUBJECTS[stop.event] !== subject) {
      issues.push({ path: `stopWhen.${i}.match`, message: `a ${stop.event} event is about a ${EVENT_SUBJECTS[stop.event]}, not this run's ${subject}` });
    }
  });

  const byId = new Map<string, Step>();
  def.steps.forEach((step, i) => {
    if (byId.has(step.id)) issues.push({ path: `steps.${i}.id`, message: `duplicate step id ${step.id}` });
    byId.set(step.id, step);
  });
  if (!byId.has(def.start)) issues.push({ path: 'start', message: `no step with id ${def.start}` });

  def.steps.forEach((step, i) => {
    const at = `steps.${i}`;
    for (const next of successors(step)) {
      if (!byId.has(next)) issues.push({ path: at, message: `step ${step.id} goes to unknown step ${next}` });
    }
    issues.push(...(stepKindOf(step).check?.(step, { subject, path: at }) ?? []));
  });

  if (byId.has(def.start)) checkGraph(def.start, def.steps, byId, issues);
  return issues.length > 0 ? { ok: false, issues } : { ok: true, definition: def };
}

// A step runs at most once per run (its row is unique per run), so the graph must be acyclic.
function checkGraph(start: string, steps: Step[], byId: Map<string, Step>, issues: DefinitionIssue[]): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, trail: string[]): void => {
    const step = byId.get(id);
    if (!step) return;
    if (state.get(id) === 'visiting') {
      issues.push({ path: 'steps', message: `steps form a loop: ${[...trail, id].join(' → ')}` });
      return;
    }
    if (state.get(id) === 'done') return;
    state.set(id, 'visiting');
    for (const next of successors(step)) visit(next, [...trail, id]);
    state.set(id, 'done');
  };
  visit(start, []);
  steps.forEach((step, i) => {
    if (!state.has(step.id)) issues.push({ path: `steps.${i}`, message: `step ${step.id} is unreachable from start (${start})` });
  });
}
