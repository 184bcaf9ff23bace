import type { Condition } from './step-fields.js';
import { SUBJECT_VARIABLES, type SubjectType } from './variables.js';

export type DefinitionIssue = { path: string; message: string };

/** Save-time checks of conditions on a subject's variables: known names, and a value that fits the operator. */
export function checkConditions(conditions: Condition[], subject: SubjectType, path: string): DefinitionIssue[] {
  const vars = SUBJECT_VARIABLES[subject];
  const issues: DefinitionIssue[] = [];
  conditions.forEach((c, i) => {
    if (!Object.hasOwn(vars, c.field)) issues.push({ path: `${path}.${i}.field`, message: `unknown variable ${c.field} for a ${subject}; known: ${Object.keys(vars).join(', ')}` });
    const needsValue = c.op !== 'exists' && c.op !== 'not_exists';
    if (needsValue && c.value === undefined) issues.push({ path: `${path}.${i}.value`, message: `${c.op} needs a value` });
    if ((c.op === 'in' || c.op === 'not_in') && !Array.isArray(c.value)) issues.push({ path: `${path}.${i}.value`, message: `${c.op} needs a list` });
    if (['gt', 'gte', 'lt', 'lte'].includes(c.op) && typeof c.value !== 'number') issues.push({ path: `${path}.${i}.value`, message: `${c.op} needs a number` });
  });
  return issues;
}
