import { activeWorkflowRunsByCancelKeys, findWorkflowDefinitionById, latestWorkflowDefinitions, recordWorkflowEvent, type WorkflowDefinitionRow } from '@fieldhand/db';
import type { FieldhandCatalog, JobData } from '@fieldhand/queues';
import { firstFailedCondition, type FailedCondition } from '../definition/evaluate-conditions.js';
import { documentOf } from '../definition/stored-definitions.js';
import { EVENT_SUBJECTS } from '../definition/variables.js';
import { loadSubject, type Subject } from '../subjects/load-subject.js';
import type { WorkflowDeps } from '../workflow-deps.js';
import { cancelRun } from './cancel-run.js';
import { startRun } from './start-run.js';

/** A sync change or an SMS event, in the one shape the engine evaluates. */
export type WorkflowEvent = {
  tenantId: string;
  eventId: string;
  type: string;
  subject: { type: string; id: string };
  phone: string | null;
  customerId: number | null;
  payload: Record<string, unknown>;
};

export type Evaluation = {
  definitionKey: string;
  version: number;
  matched: boolean;
  /** The first condition that failed, with the value the engine saw. */
  failed?: FailedCondition & { where: 'trigger' };
  subjectFound?: boolean;
  runId?: string;
  started?: boolean;
  blockedBy?: { policy: string; runId: string; startedAt: string };
};

export function fromDomainEvent(event: JobData<FieldhandCatalog, 'workflow.domain-event'>): WorkflowEvent {
  const { correlationId: _c, ...payload } = event as typeof event & { correlationId?: string };
  return {
    tenantId: event.tenantId,
    eventId: event.eventId,
    type: event.type,
    subject: { type: EVENT_SUBJECTS[event.type] ?? event.subject.type, id: String(event.subject.id) },
    phone: typeof event.new.phone === 'string' ? event.new.phone : null,
    customerId: typeof event.refs.customerId === 'number' ? event.refs.customerId : null,
    payload,
  };
}

export function fromSmsEvent(event: JobData<FieldhandCatalog, 'workflow.sms-event'>): WorkflowEvent {
  const { correlationId: _c, ...payload } = event as typeof event & { correlationId?: string };
  return { tenantId: event.tenantId, eventId: event.eventId, type: event.type, subject: { type: 'phone', id: event.phone }, phone: event.phone, customerId: null, payload };
}

/**
 * Evaluates one event: first the stop conditions of the runs it may concern
 * (found by cancel key in one query), then every enabled definition's trigger.
 * What was decided, including the first failed condition of each definition
 * that did not start, is recorded in workflow_events.
 */
export async function handleWorkflowEvent(deps: WorkflowDeps, event: WorkflowEvent): Promise<{ stopped: number; started: number; evaluations: Evaluation[] }> {
  const subjectType = EVENT_SUBJECTS[event.type];
  const subject = subjectType ? await loadSubject(deps.db, event.tenantId, subjectType, event.subject.id) : undefined;
  const stopped = await applyStops(deps, event, subject);

  const evaluations: Evaluation[] = [];
  for (const definition of await latestWorkflowDefinitions(deps.db, event.tenantId, { enabledOnly: true })) {
    evaluations.push(await evaluateTrigger(deps, definition, event, subject));
  }
  await recordWorkflowEvent(deps.db, {
    tenantId: event.tenantId,
    eventId: event.eventId,
    type: event.type,
    subjectType: event.subject.type,
    subjectId: event.subject.id,
    phone: event.phone,
    payload: event.payload,
    evaluations,
    stopped,
  });
  return { stopped: stopped.length, started: evaluations.filter((e) => e.started).length, evaluations };
}

async function evaluateTrigger(deps: WorkflowDeps, definition: WorkflowDefinitionRow, event: WorkflowEvent, subject: Subject | undefined): Promise<Evaluation> {
  const def = documentOf(definition);
  const base = { definitionKey: def.key, version: def.version };
  if (def.trigger.event !== event.type) {
    return { ...base, matched: false, failed: { where: 'trigger', field: 'event', op: 'eq', expected: def.trigger.event, actual: event.type } };
  }
  if (!subject) return { ...base, matched: false };
  const failed = firstFailedCondition(def.trigger.conditions, subject.vars);
  if (failed) return { ...base, matched: false, subjectFound: subject.found, failed: { where: 'trigger', ...failed } };
  const result = await startRun(deps, { definition, subject, triggerEventId: event.eventId });
  if (!result.started) return { ...base, matched: true, started: false, blockedBy: result.blockedBy };
  return { ...base, matched: true, started: true, runId: result.run.id };
}

async function applyStops(deps: WorkflowDeps, event: WorkflowEvent, subject: Subject | undefined): Promise<Record<string, unknown>[]> {
  const subjectKey = `${event.subject.type}:${event.subject.id}`;
  const phoneKey = event.phone ? `phone:${event.phone}` : undefined;
  const customerKey = event.customerId !== null ? `customer:${event.customerId}` : undefined;
  const keys = [subjectKey, phoneKey, customerKey].filter((k): k is string => k !== undefined);
  const runs = await activeWorkflowRunsByCancelKeys(deps.db, event.tenantId, keys);
  const stopped: Record<string, unknown>[] = [];
  const definitions = new Map<string, WorkflowDefinitionRow | undefined>();
  for (const run of runs) {
    if (!definitions.has(run.definitionId)) definitions.set(run.definitionId, await findWorkflowDefinitionById(deps.db, run.definitionId));
    const definition = definitions.get(run.definitionId);
    if (!definition) continue;
    const matchKey = { subject: subjectKey, phone: phoneKey, customer: customerKey };
    const stop = documentOf(definition).stopWhen.find(
      (s) =>
        s.event === event.type &&
        matchKey[s.match] !== undefined &&
        run.cancelKeys.includes(matchKey[s.match]!) &&
        firstFailedCondition(s.conditions, subject?.vars ?? {}) === undefined,
    );
    if (!stop) continue;
    const reason = `${stop.reason ?? event.type} (${event.type} ${event.eventId})`;
    if (await cancelRun(deps, run.id, reason)) {
      stopped.push({ runId: run.id, definitionKey: run.definitionKey, reason });
      deps.logger.info({ runId: run.id, reason }, 'workflow run stopped by event');
    }
  }
  return stopped;
}
