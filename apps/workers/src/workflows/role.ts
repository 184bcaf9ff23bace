import { completeOutbox } from '@fieldhand/db';
import type { FieldhandCatalog } from '@fieldhand/queues';
import { fromDomainEvent, fromSmsEvent, handleWorkflowEvent, runStep, type WorkflowDeps } from '@fieldhand/workflows';
import type { RoleDefinition } from '../bootstrap/role.js';

/** Evaluates triggers and stop conditions for every event, and runs workflow steps (one job per step). */
export const workflowsRole: RoleDefinition<FieldhandCatalog> = {
  name: 'workflows',
  queues: ['workflow'],
  handlers: ({ db, bus, logger }) => {
    const deps: WorkflowDeps = { db, bus, logger };
    return {
      'workflow.domain-event': async (data, ctx) => {
        const result = await handleWorkflowEvent(deps, fromDomainEvent(data));
        // Handled (and recorded in workflow_events): the sync's outbox row may go.
        if (ctx.job.id) await completeOutbox(db, ctx.job.id);
        return result;
      },
      'workflow.sms-event': (data) => handleWorkflowEvent(deps, fromSmsEvent(data)),
      // On the last attempt the step and its run are marked failed, so a replay can start from it.
      'workflow.step': (data, ctx) => runStep(deps, data, { finalAttempt: ctx.job.attemptsMade + 1 >= (ctx.job.opts.attempts ?? 1) }),
    };
  },
};
