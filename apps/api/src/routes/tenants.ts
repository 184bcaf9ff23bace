import { z } from 'zod';
import { createTenant, listTenants, toPublicTenant, updateTenant, type Database, type GhlCredentials, type GhlEstimatePipeline } from '@fieldhand/db';
import { checkEstimatePipeline, pushEstimatesJob, sameEstimatePipeline } from '@fieldhand/ghl';
import type { Logger } from '@fieldhand/observability';
import { flushOutbox, writeOutbox, type FieldhandCatalog, type JobBus } from '@fieldhand/queues';
import { ForbiddenError, ValidationError } from '../errors/http-error.js';
import { audit } from '../http/audit.js';
import { defineRoute, type AnyRoute } from '../http/define-route.js';
import { requireTenant, tenantNotFound } from '../http/require-tenant.js';
import { pageOf, pageQuery, uuidParam } from '../schemas/common.js';
import { createTenantBody, tenantResponse, updateTenantBody } from '../schemas/tenant.js';

const tenantParams = z.object({ tenantId: uuidParam });

type Sender = { from?: string | undefined; messagingServiceSid?: string | undefined } | null | undefined;

/** True when a change keeps the tenant's Twilio sender as it is. */
function sameSender(current: Sender, next: Sender): boolean {
  return (current?.from ?? null) === (next?.from ?? null) && (current?.messagingServiceSid ?? null) === (next?.messagingServiceSid ?? null);
}

/** An office number that is the tenant's own sender would text itself: refused. */
function checkAlertNumbers(alerts: { replyTo: string[] } | null | undefined, twilio: Sender): void {
  const own = alerts?.replyTo.findIndex((n) => n === twilio?.from) ?? -1;
  if (own >= 0) throw new ValidationError("An office number cannot be the tenant's own sender", [{ path: `alerts.replyTo.${own}`, message: 'is twilio.from' }]);
}

type GhlInput = { locationId: string; token: string; estimatePipeline?: GhlEstimatePipeline | null | undefined };

/** The ghl block to store: an omitted estimatePipeline keeps the stored one while the location stays. */
function nextGhl(current: GhlCredentials | null, input: GhlInput | null): GhlCredentials | null {
  if (input === null) return null;
  const { estimatePipeline, ...credentials } = input;
  const kept = estimatePipeline === undefined && current?.locationId === input.locationId ? current.estimatePipeline : (estimatePipeline ?? undefined);
  return kept ? { ...credentials, estimatePipeline: kept } : credentials;
}

/** A 400 naming the pipeline or stage id the tenant's synced GHL pipelines do not have. */
async function validateEstimatePipeline(db: Database, tenantId: string, setting: GhlEstimatePipeline): Promise<void> {
  const problems = await checkEstimatePipeline(db, tenantId, setting);
  if (problems.length > 0) throw new ValidationError(problems.map((p) => p.message).join('; '), problems);
}

export function tenantRoutes(db: Database, bus: JobBus<FieldhandCatalog>, logger: Logger): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/tenants',
      operationId: 'createTenant',
      summary: 'Create a tenant (a contractor)',
      description: 'Vendor credentials are write-only: the response says which vendors are configured, never their secrets.',
      tag: 'tenants',
      access: 'admin',
      body: createTenantBody,
      responses: { 201: { description: 'The tenant', schema: tenantResponse } },
      errors: [409],
      handler: async ({ body, res }) => {
        const setting = body.ghl?.estimatePipeline;
        // A tenant being created has no synced pipelines to check the ids against yet.
        if (setting) {
          throw new ValidationError(`GHL pipeline ${setting.pipelineId} is not one of the tenant's synced pipelines (none are synced yet: set ghl.estimatePipeline with PATCH once the GHL sync has run)`, [
            { path: 'ghl.estimatePipeline.pipelineId', message: `GHL pipeline ${setting.pipelineId} is not synced for this tenant` },
          ]);
        }
        checkAlertNumbers(body.alerts, body.twilio);
        const created = await createTenant(db, { ...body, ghl: body.ghl ? nextGhl(null, body.ghl) : null });
        await audit(db, res, 'tenant.created', { tenantId: created.id, target: { name: created.name } });
        return { status: 201, body: toPublicTenant(created) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/tenants',
      operationId: 'listTenants',
      summary: 'List tenants, newest first',
      tag: 'tenants',
      access: 'admin',
      query: pageQuery,
      responses: { 200: { description: 'A page of tenants', schema: pageOf(tenantResponse, 'TenantPage') } },
      handler: async ({ query }) => {
        const page = await listTenants(db, query);
        return { status: 200, body: { data: page.data.map(toPublicTenant), nextCursor: page.nextCursor } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/tenants/:tenantId',
      operationId: 'getTenant',
      summary: 'Get a tenant',
      tag: 'tenants',
      access: 'tenant',
      params: tenantParams,
      responses: { 200: { description: 'The tenant', schema: tenantResponse } },
      errors: [404],
      handler: async ({ params }) => {
        const row = await requireTenant(db, params.tenantId);
        return { status: 200, body: toPublicTenant(row) };
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/tenants/:tenantId',
      operationId: 'updateTenant',
      summary: 'Change a tenant',
      description:
        'Only the fields given change. A vendor block replaces the stored one whole; `null` removes it. ' +
        '`ghl.estimatePipeline` omitted from a `ghl` block keeps the stored one while the location stays; a changed one (validated against the synced GHL pipelines, 400 naming a bad id) pushes every estimate to it. ' +
        'A Twilio sender (`twilio.from`, `twilio.messagingServiceSid`) belongs to one tenant (409 `sender_taken` on a clash) and only the admin may set, change or remove it. ' +
        '`alerts` sets the office numbers that get alerts by text (`null` removes them); an office number may not be the tenant\'s own sender.',
      tag: 'tenants',
      access: 'tenant',
      params: tenantParams,
      body: updateTenantBody,
      responses: { 200: { description: 'The tenant after the change', schema: tenantResponse } },
      errors: [403, 404, 409],
      handler: async ({ params, body, principal, res }) => {
        const current = await requireTenant(db, params.tenantId);
        if (principal?.kind !== 'admin' && body.twilio !== undefined) {
          if (!sameSender(current.twilio, body.twilio)) throw new ForbiddenError('Only the admin may set, change or remove a Twilio sender');
        }
        checkAlertNumbers(body.alerts === undefined ? current.alerts : body.alerts, body.twilio === undefined ? current.twilio : body.twilio);
        const { ghl: ghlInput, ...rest } = body;
        const ghl = ghlInput === undefined ? undefined : nextGhl(current.ghl, ghlInput);
        if (ghlInput?.estimatePipeline) await validateEstimatePipeline(db, params.tenantId, ghlInput.estimatePipeline);
        const setting = ghl?.estimatePipeline;
        // A changed estimate pipeline pushes every estimate there: decided with the change, through the outbox.
        const jobs = ghl !== undefined && setting && !sameEstimatePipeline(current.ghl?.estimatePipeline, setting) ? [pushEstimatesJob(params.tenantId, setting, new Date())] : [];
        const saved = await db.transaction(async (tx) => {
          const row = await updateTenant(tx, params.tenantId, ghl === undefined ? rest : { ...rest, ghl });
          // The fields changed, never their values: vendor blocks carry secrets.
          if (row) await audit(tx, res, 'tenant.updated', { tenantId: params.tenantId, target: { fields: Object.keys(body).sort() } });
          return { row, outbox: row ? await writeOutbox(tx, bus.catalog, jobs) : [] };
        });
        if (!saved.row) throw tenantNotFound();
        await flushOutbox(bus, saved.outbox).catch((err: unknown) => logger.warn({ err }, 'could not enqueue the GHL estimate push; the outbox reconciler will'));
        return { status: 200, body: toPublicTenant(saved.row) };
      },
    }),
  ];
}
