import { describe, expect, it } from 'vitest';
import { SHIPPED_WORKFLOWS, validateDefinition } from '../src/index.js';
import { quickFollowUp } from './support.js';

const messagesOf = (input: unknown) => {
  const result = validateDefinition(input);
  if (result.ok) throw new Error('expected the definition to be rejected');
  return result.issues.map((i) => `${i.path}: ${i.message}`);
};

describe('definition validation', () => {
  it('accepts every shipped definition', () => {
    for (const def of SHIPPED_WORKFLOWS) expect(validateDefinition(def)).toMatchObject({ ok: true });
    expect(SHIPPED_WORKFLOWS.map((d) => d.key)).toEqual(['estimate-follow-up', 'review-request', 'estimate-follow-up-demo', 'review-request-demo']);
  });

  it('rejects unknown fields anywhere in the document', () => {
    const def = quickFollowUp();
    const issues = messagesOf({ ...def, colour: 'blue', steps: [{ ...def.steps[0], retries: 3 }, ...def.steps.slice(1)] });
    expect(issues.join('\n')).toMatch(/colour/);
    expect(issues.join('\n')).toMatch(/retries/);
  });

  it("rejects names that only an object's prototype has ({{constructor}}, toString)", () => {
    const def = quickFollowUp();
    const issues = messagesOf({
      ...def,
      trigger: { event: 'estimate.created', conditions: [{ field: 'toString', op: 'eq', value: 'x' }] },
      steps: [{ id: 'text-1', type: 'send_sms', template: 'Hi {{constructor}} {{__proto__}}', next: 'done' }, { id: 'done', type: 'end' }],
    });
    expect(issues.join('\n')).toMatch(/unknown template variable \{\{constructor\}\}/);
    expect(issues.join('\n')).toMatch(/unknown variable toString/);
  });

  it('rejects unknown template variables and condition fields, naming them', () => {
    const def = quickFollowUp();
    const issues = messagesOf({
      ...def,
      trigger: { event: 'estimate.created', conditions: [{ field: 'estimateAmount', op: 'gte', value: 1 }] },
      steps: [{ id: 'text-1', type: 'send_sms', template: 'Hi {{frstName}}', next: 'done' }, { id: 'done', type: 'end' }],
    });
    expect(issues).toContainEqual(expect.stringMatching(/^trigger\.conditions\.0\.field: unknown variable estimateAmount/));
    expect(issues).toContainEqual(expect.stringMatching(/^steps\.0\.template: unknown template variable \{\{frstName\}\}/));
  });

  it('rejects unreachable steps, dangling references and loops', () => {
    const base = quickFollowUp();
    expect(messagesOf({ ...base, steps: [...base.steps, { id: 'orphan', type: 'end' }] })).toContainEqual(expect.stringMatching(/orphan is unreachable/));
    expect(messagesOf({ ...base, steps: [{ id: 'text-1', type: 'send_sms', template: 'x', next: 'nowhere' }] })).toContainEqual(expect.stringMatching(/unknown step nowhere/));
    const loop = { ...base, start: 'a', steps: [{ id: 'a', type: 'wait', duration: 'PT1S', next: 'b' }, { id: 'b', type: 'send_sms', template: 'x', next: 'a' }] };
    expect(messagesOf(loop)).toContainEqual(expect.stringMatching(/loop: a → b → a/));
  });

  it('rejects a wait with both or neither of duration and until, and bad durations', () => {
    const base = quickFollowUp();
    const steps = (wait: Record<string, unknown>) => ({ ...base, start: 'w', steps: [{ id: 'w', type: 'wait', ...wait, next: 'e' }, { id: 'e', type: 'end' }] });
    expect(messagesOf(steps({}))).toContainEqual(expect.stringMatching(/exactly one of duration or until/));
    expect(messagesOf(steps({ duration: '3 days' }))).toContainEqual(expect.stringMatching(/ISO-8601/));
    expect(messagesOf(steps({ until: { field: 'estimateStatus' } }))).toContainEqual(expect.stringMatching(/estimateStatus is not a time/));
  });
});
