import type { Condition } from './step-fields.js';
import type { SubjectVars } from './variables.js';

/** The first condition that did not hold, and what it saw: the answer to "why did nothing start?". */
export type FailedCondition = { field: string; op: string; expected: unknown; actual: unknown };

const present = (v: unknown) => v !== null && v !== undefined && v !== '';

function holds(c: Condition, actual: string | number | null | undefined): boolean {
  const value = c.value;
  switch (c.op) {
    case 'exists':
      return present(actual);
    case 'not_exists':
      return !present(actual);
    case 'eq':
      return present(actual) && String(actual) === String(value);
    case 'neq':
      return String(actual ?? '') !== String(value);
    case 'in':
      return present(actual) && Array.isArray(value) && value.some((v) => String(v) === String(actual));
    case 'not_in':
      return !Array.isArray(value) || !value.some((v) => String(v) === String(actual));
    default: {
      if (!present(actual)) return false;
      const a = Number(actual);
      const b = Number(value);
      if (Number.isNaN(a) || Number.isNaN(b)) return false;
      return c.op === 'gt' ? a > b : c.op === 'gte' ? a >= b : c.op === 'lt' ? a < b : a <= b;
    }
  }
}

/** Evaluates in order and stops at the first failure. */
export function firstFailedCondition(conditions: readonly Condition[], vars: SubjectVars): FailedCondition | undefined {
  for (const c of conditions) {
    const actual = vars[c.field];
    if (!holds(c, actual)) return { field: c.field, op: c.op, expected: c.value ?? null, actual: actual ?? null };
  }
  return undefined;
}
