import { parseTemplate, TemplateError } from '@fieldhand/sms';
import { definitionInputSchema, type Condition, type Definition, type Step } from './definition-schema.js';
import { EVENT_SUBJECTS, SUBJECT_VARIABLES, type SubjectType } from './variables.js';

export type DefinitionIssue = { path: string; message: string };
export type ValidationResult = { ok: true; definition: Omit<Definition, 'version'> } | { ok: false; issues: DefinitionIssue[] };

/** The steps a step may go to next. */
export function successors(step: Step): string[] {
  switch (step.type) {
    case 'branch':
      return [step.then, step.else];
    case 'end':
      return [];
    default:
      return step.next ? [step.next] : [];
  }
}

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
  const vars = SUBJECT_VARIABLES[subject];

  checkConditions(def.trigger.conditions, subject, 'trigger.conditions', issues);
  def.stopWhen.forEach((stop, i) => {
    // A stop event is about its own subject; its conditions read that subject's variables.
    checkConditions(stop.conditions, EVENT_SUBJECTS[stop.event]!, `stopWhen.${i}.conditions`, issues);
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
    if (step.type === 'send_sms') {
      try {
        for (const name of parseTemplate(step.template)) {
          if (!Object.hasOwn(vars, name)) issues.push({ path: `${at}.template`, message: `unknown template variable {{${name}}} for a ${subject}; known: ${Object.keys(vars).join(', ')}` });
        }
      } catch (error) {
        if (!(error instanceof TemplateError)) throw error;
        issues.push({ path: `${at}.template`, message: error.message });
      }
    }
    if (step.type === 'wait' && step.until) {
      const kind = vars[step.until.field];
      if (kind !== 'time') issues.push({ path: `${at}.until.field`, message: kind ? `${step.until.field} is not a time` : `unknown variable ${step.until.field} for a ${subject}` });
    }
    if (step.type === 'branch') checkConditions(step.if, subject, `${at}.if`, issues);
  });

  if (byId.has(def.start)) checkGraph(def.start, def.steps, byId, issues);
  return issues.length > 0 ? { ok: false, issues } : { ok: true, definition: def };
}

function checkConditions(conditions: Condition[], subject: SubjectType, path: string, issues: DefinitionIssue[]): void {
  const vars = SUBJECT_VARIABLES[subject];
  conditions.forEach((c, i) => {
    if (!Object.hasOwn(vars, c.field)) issues.push({ path: `${path}.${i}.field`, message: `unknown variable ${c.field} for a ${subject}; known: ${Object.keys(vars).join(', ')}` });
    const needsValue = c.op !== 'exists' && c.op !== 'not_exists';
    if (needsValue && c.value === undefined) issues.push({ path: `${path}.${i}.value`, message: `${c.op} needs a value` });
    if ((c.op === 'in' || c.op === 'not_in') && !Array.isArray(c.value)) issues.push({ path: `${path}.${i}.value`, message: `${c.op} needs a list` });
    if (['gt', 'gte', 'lt', 'lte'].includes(c.op) && typeof c.value !== 'number') issues.push({ path: `${path}.${i}.value`, message: `${c.op} needs a number` });
  });
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
