import { z } from 'zod';
import {
  findWorkflowDefinition,
  latestWorkflowDefinitions,
  setWorkflowDefinitionEnabled,
  workflowDefinitionVersions,
  type Database,
  type WorkflowDefinitionRow,
} from '@fieldhand/db';
import type { Logger } from '@fieldhand/observability';
import type { FieldhandCatalog, JobBus } from '@fieldhand/queues';
import { documentOf, dryRun, ensureShippedDefinitions, InvalidDefinitionError, saveDefinition, validateDefinition } from '@fieldhand/workflows';
import { NotFoundError, ValidationError } from '../errors/http-error.js';
import { audit } from '../http/audit.js';
import { defineRoute, type AnyRoute } from '../http/define-route.js';
import { requireTenant } from '../http/require-tenant.js';
import { uuidParam } from '../schemas/common.js';
import { definitionBody, definitionKeyParam, definitionList, definitionResponse, dryRunBody, dryRunResponse, versionQuery } from '../schemas/workflow.js';

const tenantParams = z.object({ tenantId: uuidParam });
const keyParams = z.object({ tenantId: uuidParam, key: definitionKeyParam });
const notFound = () => new NotFoundError('workflow_not_found', 'No workflow definition with this key (and version)');

function toResponse(row: WorkflowDefinitionRow, versions?: number[]) {
  return { id: row.id, key: row.key, version: row.version, name: row.name, enabled: row.enabled, shipped: row.shipped, ...(versions ? { versions } : {}), document: row.document, createdAt: row.createdAt.toISOString() };
}

const invalid = (issues: { path: string; message: string }[]) =>
  new ValidationError('Invalid workflow definition', issues.map((i) => ({ path: i.path, message: i.message, code: 'invalid_definition' })));

async function requireTenantDefinitions(db: Database, tenantId: string): Promise<void> {
  await requireTenant(db, tenantId);
  // The shipped workflows appear (disabled) the first time a tenant looks.
  await ensureShippedDefinitions(db, tenantId);
}

export function workflowRoutes(db: Database, bus: JobBus<FieldhandCatalog>, logger: Logger): AnyRoute[] {
  const enableRoute = (enabled: boolean) =>
    defineRoute({
      method: 'post',
      path: `/tenants/:tenantId/workflows/:key/${enabled ? 'enable' : 'disable'}`,
      operationId: enabled ? 'enableWorkflow' : 'disableWorkflow',
      summary: enabled ? 'Turn a workflow on for the tenant (its newest version triggers)' : 'Turn a workflow off; active runs continue',
      tag: 'workflows',
      access: 'tenant',
      params: keyParams,
      responses: { 200: { description: 'The newest version', schema: definitionResponse } },
      errors: [404],
      handler: async ({ params, res }) => {
        await requireTenantDefinitions(db, params.tenantId);
        if (!(await setWorkflowDefinitionEnabled(db, params.tenantId, params.key, enabled))) throw notFound();
        await audit(db, res, enabled ? 'workflow.enabled' : 'workflow.disabled', { tenantId: params.tenantId, target: { key: params.key } });
        return { status: 200, body: toResponse((await findWorkflowDefinition(db, params.tenantId, params.key))!) };
      },
    });

  return [
    defineRoute({
      method: 'get',
      path: '/tenants/:tenantId/workflows',
      operationId: 'listWorkflows',
      summary: 'List workflow definitions (newest version of each), shipped ones included',
      tag: 'workflows',
      access: 'tenant',
      params: tenantParams,
      responses: { 200: { description: 'Definitions', schema: definitionList } },
      errors: [404],
      handler: async ({ params }) => {
        await requireTenantDefinitions(db, params.tenantId);
        return { status: 200, body: { data: (await latestWorkflowDefinitions(db, params.tenantId)).map((r) => toResponse(r)) } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/tenants/:tenantId/workflows',
      operationId: 'createWorkflowVersion',
      summary: 'Save a workflow definition as a new version',
      description: 'Validated completely (unknown fields, unknown template variables, unreachable steps, loops); every problem is listed in the 400. Runs already started stay on their version.',
      tag: 'workflows',
      access: 'tenant',
      params: tenantParams,
      body: definitionBody,
      responses: { 201: { description: 'The saved version', schema: definitionResponse } },
      errors: [404],
      handler: async ({ params, body, res }) => {
        await requireTenantDefinitions(db, params.tenantId);
        try {
          const row = await saveDefinition(db, params.tenantId, body);
          await audit(db, res, 'workflow.saved', { tenantId: params.tenantId, target: { key: row.key, version: row.version } });
          return { status: 201, body: toResponse(row), headers: { Location: `/api/v1/tenants/${params.tenantId}/workflows/${row.key}?version=${row.version}` } };
        } catch (error) {
          if (error instanceof InvalidDefinitionError) throw invalid(error.issues);
          throw error;
        }
      },
    }),
    defineRoute({
      method: 'get',
      path: '/tenants/:tenantId/workflows/:key',
      operationId: 'getWorkflow',
      summary: 'Get a workflow definition (the newest version, or ?version=)',
      tag: 'workflows',
      access: 'tenant',
      params: keyParams,
      query: versionQuery,
      responses: { 200: { description: 'The definition', schema: definitionResponse } },
      errors: [404],
      handler: async ({ params, query }) => {
        await requireTenantDefinitions(db, params.tenantId);
        const row = await findWorkflowDefinition(db, params.tenantId, params.key, query.version);
        if (!row) throw notFound();
        return { status: 200, body: toResponse(row, await workflowDefinitionVersions(db, params.tenantId, params.key)) };
      },
    }),
    enableRoute(true),
    enableRoute(false),
    defineRoute({
      method: 'post',
      path: '/tenants/:tenantId/workflows/:key/dry-run',
      operationId: 'dryRunWorkflow',
      summary: 'Would this workflow trigger for a subject, and what would it do?',
      description: 'Evaluates the trigger against the subject as stored now and lists the steps with their times and rendered texts. Writes and sends nothing.',
      tag: 'workflows',
      access: 'tenant',
      params: keyParams,
      body: dryRunBody,
      responses: { 200: { description: 'The verdict and the step timeline', schema: dryRunResponse } },
      errors: [404],
      handler: async ({ params, body }) => {
        await requireTenantDefinitions(db, params.tenantId);
        let document;
        if (body.definition) {
          const result = validateDefinition(body.definition);
          if (!result.ok) throw invalid(result.issues);
          document = result.definition;
        } else {
          const row = await findWorkflowDefinition(db, params.tenantId, params.key, body.version);
          if (!row) throw notFound();
          document = documentOf(row);
        }
        const result = await dryRun({ db, bus, logger }, params.tenantId, document, body.subjectId);
        return { status: 200, body: result };
      },
    }),
  ];
}
