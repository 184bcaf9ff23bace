import { isLastAttempt } from '@fieldhand/queues';
import { fromDomainEvent, fromSmsEvent, handleWorkflowEvent, runStep, type WorkflowDeps } from '@fieldhand/workflows';
import { defineRole } from '../bootstrap/role.js';

/** Evaluates triggers and stop conditions for every event, and runs workflow steps (one job per step). */
export const workflowsRole = defineRole({
  name: 'workflows',
  queues: ['workflow'],
  handlers: ({ db, bus, logger }) => {
    const deps: WorkflowDeps = { db, bus, logger };
    return {
      'workflow.domain-event': (data) => handleWorkflowEvent(deps, fromDomainEvent(data)),
      'workflow.sms-event': (data) => handleWorkflowEvent(deps, fromSmsEvent(data)),
      // On the last attempt the step and its run are marked failed, so a replay can start from it.
      'workflow.step': (data, ctx) => runStep(deps, data, { finalAttempt: isLastAttempt(ctx.job) }),
    };
  },
});
