import { z } from 'zod';
import { findWorkflowRun, listWorkflowRuns, listWorkflowStepRuns, type Database, type WorkflowRunRow, type WorkflowStepRunRow } from '@fieldhand/db';
import type { Logger } from '@fieldhand/observability';
import type { FieldhandCatalog, JobBus } from '@fieldhand/queues';
import { cancelRun, replayRun, ReplayError } from '@fieldhand/workflows';
import { ConflictError, NotFoundError, ValidationError } from '../errors/http-error.js';
import { defineRoute, type AnyRoute } from '../http/define-route.js';
import { pageOf, uuidParam } from '../schemas/common.js';
import { cancelBody, parseSubject, replayBody, runQuery, runResponse } from '../schemas/workflow.js';

const tenantParams = z.object({ tenantId: uuidParam });
const runParams = z.object({ tenantId: uuidParam, id: uuidParam });
const notFound = () => new NotFoundError('workflow_run_not_found', 'No workflow run with this id');
const iso = (d: Date | null) => d?.toISOString() ?? null;

function toRunResponse(row: WorkflowRunRow, steps?: WorkflowStepRunRow[]) {
  return {
    id: row.id,
    tenantId: row.tenantId,
    definitionKey: row.definitionKey,
    definitionVersion: row.definitionVersion,
    subject: { type: row.subjectType, id: row.subjectId },
    customerId: row.customerId,
    phone: row.phone,
    status: row.status,
    currentStep: row.currentStep,
    nextStepAt: iso(row.nextStepAt),
    cancelReason: row.cancelReason,
    error: row.error,
    cancelKeys: row.cancelKeys,
    triggerEventId: row.triggerEventId,
    replayOf: row.replayOf,
    replayFromStep: row.replayFromStep,
    startedAt: row.startedAt.toISOString(),
    finishedAt: iso(row.finishedAt),
    ...(steps
      ? {
          steps: steps.map((s) => ({
            stepId: s.stepId,
            type: s.stepType,
            status: s.status,
            dueAt: s.dueAt.toISOString(),
            attempts: s.attempts,
            outcome: s.outcome,
            error: s.error,
            startedAt: iso(s.startedAt),
            finishedAt: iso(s.finishedAt),
          })),
        }
      : {}),
  };
}

export function workflowRunRoutes(db: Database, bus: JobBus<FieldhandCatalog>, logger: Logger): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/tenants/:tenantId/workflow-runs',
      operationId: 'listWorkflowRuns',
      summary: 'List workflow runs, newest first',
      tag: 'workflow runs',
      access: 'tenant',
      params: tenantParams,
      query: runQuery,
      responses: { 200: { description: 'A page of runs', schema: pageOf(runResponse, 'WorkflowRunPage') } },
      handler: async ({ params, query }) => {
        const subject = parseSubject(query.subject);
        const page = await listWorkflowRuns(db, {
          tenantId: params.tenantId,
          status: query.status,
          definition: query.definition,
          subjectType: subject?.type,
          subjectId: subject?.id,
          phone: query.phone,
          limit: query.limit,
          cursor: query.cursor,
        });
        return { status: 200, body: { data: page.data.map((r) => toRunResponse(r)), nextCursor: page.nextCursor } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/tenants/:tenantId/workflow-runs/:id',
      operationId: 'getWorkflowRun',
      summary: 'Get a workflow run with its step timeline',
      tag: 'workflow runs',
      access: 'tenant',
      params: runParams,
      responses: { 200: { description: 'The run', schema: runResponse } },
      errors: [404],
      handler: async ({ params }) => {
        const run = await findWorkflowRun(db, params.tenantId, params.id);
        if (!run) throw notFound();
        return { status: 200, body: toRunResponse(run, await listWorkflowStepRuns(db, run.id)) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/tenants/:tenantId/workflow-runs/:id/cancel',
      operationId: 'cancelWorkflowRun',
      summary: 'Cancel an active run',
      description: 'Its pending step does nothing when it wakes up; texts it queued but not yet sent are cancelled.',
      tag: 'workflow runs',
      access: 'tenant',
      params: runParams,
      body: cancelBody,
      responses: { 200: { description: 'The cancelled run', schema: runResponse } },
      errors: [404, 409],
      handler: async ({ params, body }) => {
        const run = await findWorkflowRun(db, params.tenantId, params.id);
        if (!run) throw notFound();
        const cancelled = await cancelRun({ db, bus, logger }, run.id, body.reason);
        if (!cancelled) throw new ConflictError('workflow_run_not_active', `The run is ${run.status}`);
        return { status: 200, body: toRunResponse(cancelled, await listWorkflowStepRuns(db, run.id)) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/tenants/:tenantId/workflow-runs/:id/replay',
      operationId: 'replayWorkflowRun',
      summary: 'Replay a finished run as a new run linked to it',
      description: 'From the start, from the step it failed on (`from: "failed"`), or from a given step; on the same definition version.',
      tag: 'workflow runs',
      access: 'tenant',
      params: runParams,
      body: replayBody,
      responses: { 201: { description: 'The new run', schema: runResponse } },
      errors: [404, 409],
      handler: async ({ params, body }) => {
        try {
          const run = await replayRun({ db, bus, logger }, params.tenantId, params.id, { step: body.step, failedStep: body.from === 'failed' });
          return { status: 201, body: toRunResponse(run), headers: { Location: `/api/v1/tenants/${params.tenantId}/workflow-runs/${run.id}` } };
        } catch (error) {
          if (!(error instanceof ReplayError)) throw error;
          if (error.code === 'run_not_found') throw notFound();
          if (error.code === 'run_active') throw new ConflictError('workflow_run_active', error.message);
          throw new ValidationError(error.message, [{ path: 'step', message: error.message, code: 'unknown_step' }]);
        }
      },
    }),
  ];
}
