import { z } from 'zod';
import 'zod-openapi';
import { STEP_TYPES } from '@fieldhand/workflows';
import { pageQuery } from './common.js';
import { phoneInput } from './message.js';

const json = z.record(z.string(), z.unknown());

export const definitionKeyParam = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/).meta({ example: 'estimate-follow-up' });

// The document is checked by validateDefinition, which reports every problem at once.
export const definitionBody = json.meta({
  id: 'WorkflowDefinitionInput',
  description: `key, name, trigger {event, conditions}, reentry, stopWhen, start, steps (${STEP_TYPES.join(', ')}). The version is assigned.`,
});

export const definitionResponse = z
  .object({
    id: z.uuid(),
    key: z.string(),
    version: z.number().int(),
    name: z.string(),
    enabled: z.boolean(),
    shipped: z.boolean(),
    versions: z.array(z.number().int()).optional(),
    document: json,
    createdAt: z.string(),
  })
  .meta({ id: 'WorkflowDefinition' });

export const definitionList = z.object({ data: z.array(definitionResponse) }).meta({ id: 'WorkflowDefinitionList' });

export const versionQuery = z.object({ version: z.coerce.number().int().min(1).optional() });

export const dryRunBody = z
  .strictObject({
    subjectId: z.union([z.string().min(1).max(64), z.number().int()]).transform(String).meta({ description: 'The estimate, job or appointment id (a phone for sms triggers)' }),
    version: z.number().int().min(1).optional(),
    // An unsaved document to try before saving it.
    definition: json.optional(),
  })
  .meta({ id: 'WorkflowDryRun' });

export const dryRunResponse = z
  .object({
    subject: z.object({ type: z.string(), id: z.string(), found: z.boolean(), vars: json }),
    wouldTrigger: z.boolean(),
    failed: json.nullable(),
    timeline: z.array(json),
  })
  .meta({ id: 'WorkflowDryRunResult' });

const RUN_STATUSES = ['active', 'completed', 'cancelled', 'failed'] as const;

export const runQuery = pageQuery.extend({
  status: z.enum(RUN_STATUSES).optional(),
  definition: definitionKeyParam.optional(),
  subject: z.string().regex(/^[a-z]+:[^:]+$/, 'type:id, e.g. estimate:123').optional(),
  phone: phoneInput.optional(),
});

const stepRunResponse = z.object({
  stepId: z.string(),
  type: z.string(),
  status: z.string(),
  dueAt: z.string(),
  attempts: z.number().int(),
  outcome: json.nullable(),
  error: z.string().nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});

export const runResponse = z
  .object({
    id: z.uuid(),
    tenantId: z.uuid(),
    definitionKey: z.string(),
    definitionVersion: z.number().int(),
    subject: z.object({ type: z.string(), id: z.string() }),
    customerId: z.number().int().nullable(),
    phone: z.string().nullable(),
    status: z.enum(RUN_STATUSES),
    currentStep: z.string().nullable(),
    nextStepAt: z.string().nullable(),
    cancelReason: z.string().nullable(),
    error: z.string().nullable(),
    cancelKeys: z.array(z.string()),
    triggerEventId: z.string().nullable(),
    replayOf: z.uuid().nullable(),
    replayFromStep: z.string().nullable(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    steps: z.array(stepRunResponse).optional(),
  })
  .meta({ id: 'WorkflowRun' });

export const cancelBody = z.strictObject({ reason: z.string().min(1).max(200).default('cancelled by operator') }).meta({ id: 'WorkflowRunCancel' });

export const replayBody = z
  .strictObject({
    from: z.enum(['start', 'failed']).optional().meta({ description: 'start (default) or the step the run failed on' }),
    step: z.string().min(1).max(64).optional().meta({ description: 'Replay from this step instead' }),
  })
  .refine((b) => !(b.from && b.step), { message: 'give from or step, not both' })
  .meta({ id: 'WorkflowRunReplay' });

export const eventQuery = z.object({
  subject: z.string().regex(/^[a-z]+:[^:]+$/, 'type:id, e.g. estimate:123').optional().meta({ example: 'estimate:123' }),
  type: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const eventResponse = z
  .object({
    id: z.uuid(),
    eventId: z.string(),
    type: z.string(),
    subject: z.object({ type: z.string(), id: z.string() }),
    phone: z.string().nullable(),
    payload: json,
    evaluations: z.array(json).meta({ description: 'Per enabled definition: matched, the run started, or the first failed condition with the value seen' }),
    stopped: z.array(json),
    evaluatedAt: z.string(),
  })
  .meta({ id: 'WorkflowEvent' });

export const eventList = z.object({ data: z.array(eventResponse) }).meta({ id: 'WorkflowEventList' });

/** `estimate:123` → { type, id }. */
export function parseSubject(value: string | undefined): { type: string; id: string } | undefined {
  if (!value) return undefined;
  const at = value.indexOf(':');
  return { type: value.slice(0, at), id: value.slice(at + 1) };
}
