import { z } from 'zod';
import { deleteWebhookEndpoint, findWebhookEndpoint, listWebhookDeliveries, listWebhookEndpoints, type Database, type WebhookDeliveryListItem, type WebhookEndpointRow } from '@fieldhand/db';
import { changeEndpoint, createEndpoint, EndpointUrlError, retryDelivery, rotateEndpointSecret, sendTestEvent, type EndpointDeps, type UrlPolicy } from '@fieldhand/events';
import type { FieldhandCatalog, JobBus } from '@fieldhand/queues';
import { ConflictError, NotFoundError, ValidationError } from '../errors/http-error.js';
import { defineRoute, type AnyRoute } from '../http/define-route.js';
import { requireTenant } from '../http/require-tenant.js';
import { uuidParam } from '../schemas/common.js';
import {
  createdWebhookEndpointResponse,
  createWebhookEndpointBody,
  deliveryQuery,
  retryResponse,
  rotatedSecretResponse,
  testEventResponse,
  updateWebhookEndpointBody,
  webhookDeliveryResponse,
  webhookEndpointList,
  webhookEndpointResponse,
} from '../schemas/webhook-endpoints.js';
import { pageOf } from '../schemas/common.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// A tenant may have a handful of endpoints, not an unbounded list.
const MAX_ENDPOINTS = 20;

const tenantParams = z.object({ tenantId: uuidParam });
const endpointParams = z.object({ tenantId: uuidParam, id: uuidParam });
// Checked in the handler (404), so another tenant's key meets the 403 before any 400.
const deliveryParams = z.object({ tenantId: uuidParam, id: uuidParam, deliveryId: z.string().max(64) });
const iso = (d: Date | null) => d?.toISOString() ?? null;

const endpointNotFound = () => new NotFoundError('webhook_endpoint_not_found', 'No event endpoint with this id');
const deliveryNotFound = () => new NotFoundError('webhook_delivery_not_found', 'No delivery with this id for this endpoint');

function toEndpointResponse(row: WebhookEndpointRow) {
  return {
    id: row.id,
    url: row.url,
    events: row.events,
    description: row.description,
    disabled: row.disabledAt !== null,
    disabledAt: iso(row.disabledAt),
    disabledReason: row.disabledReason,
    failingSince: iso(row.firstFailureAt),
    previousSecretExpiresAt: row.previousSecretExpiresAt && row.previousSecretExpiresAt > new Date() ? row.previousSecretExpiresAt.toISOString() : null,
    createdAt: row.createdAt.toISOString(),
  };
}

function toDeliveryResponse(row: WebhookDeliveryListItem) {
  return {
    id: row.id,
    eventId: row.eventId,
    eventType: row.event.type,
    status: row.status,
    attempts: row.attemptLog,
    nextAttemptAt: row.status === 'retrying' || row.status === 'pending' ? iso(row.nextAttemptAt) : null,
    deliveredAt: iso(row.deliveredAt),
    createdAt: row.createdAt.toISOString(),
    event: { type: row.event.type, id: row.event.id, timestamp: row.event.timestamp.toISOString(), tenantId: row.event.tenantId, data: row.event.data },
  };
}

// The URL rules answer 400 with the reason (a private address, http in production…).
async function checkedUrl<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof EndpointUrlError) throw new ValidationError(err.message, [{ path: 'url', message: err.message, code: 'webhook_url_refused' }]);
    throw err;
  }
}

export function webhookEndpointRoutes(db: Database, bus: JobBus<FieldhandCatalog>, policy: UrlPolicy): AnyRoute[] {
  const deps: EndpointDeps = { db, bus, policy };
  const requireEndpoint = async (tenantId: string, id: string) => (await findWebhookEndpoint(db, tenantId, id)) ?? Promise.reject(endpointNotFound());
  return [
    defineRoute({
      method: 'post',
      path: '/tenants/:tenantId/webhook-endpoints',
      operationId: 'createWebhookEndpoint',
      summary: 'Add an event endpoint (Standard Webhooks)',
      description:
        'Events of the types listed are POSTed to `url`, signed with the secret in this response (shown once). The URL must be https in production and ' +
        'may not resolve to a loopback, private, link-local or metadata address. Event bodies: the `WebhookEvent` schema.',
      tag: 'event webhooks',
      access: 'tenant',
      params: tenantParams,
      body: createWebhookEndpointBody,
      responses: { 201: { description: 'The endpoint and its signing secret', schema: createdWebhookEndpointResponse } },
      errors: [404, 409],
      handler: async ({ params, body }) => {
        await requireTenant(db, params.tenantId);
        if ((await listWebhookEndpoints(db, params.tenantId)).length >= MAX_ENDPOINTS) throw new ConflictError('too_many_webhook_endpoints', `A tenant may have at most ${MAX_ENDPOINTS} event endpoints`);
        const row = await checkedUrl(() => createEndpoint(deps, params.tenantId, body));
        return { status: 201, body: { ...toEndpointResponse(row), secret: row.secret } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/tenants/:tenantId/webhook-endpoints',
      operationId: 'listWebhookEndpoints',
      summary: "The tenant's event endpoints (never their secrets)",
      tag: 'event webhooks',
      access: 'tenant',
      params: tenantParams,
      responses: { 200: { description: 'The endpoints, oldest first', schema: webhookEndpointList } },
      handler: async ({ params }) => ({ status: 200, body: { data: (await listWebhookEndpoints(db, params.tenantId)).map(toEndpointResponse) } }),
    }),
    defineRoute({
      method: 'get',
      path: '/tenants/:tenantId/webhook-endpoints/:id',
      operationId: 'getWebhookEndpoint',
      summary: 'An event endpoint (never its secret)',
      tag: 'event webhooks',
      access: 'tenant',
      params: endpointParams,
      responses: { 200: { description: 'The endpoint', schema: webhookEndpointResponse } },
      errors: [404],
      handler: async ({ params }) => ({ status: 200, body: toEndpointResponse(await requireEndpoint(params.tenantId, params.id)) }),
    }),
    defineRoute({
      method: 'patch',
      path: '/tenants/:tenantId/webhook-endpoints/:id',
      operationId: 'updateWebhookEndpoint',
      summary: 'Change an event endpoint: url, events, description, disabled',
      tag: 'event webhooks',
      access: 'tenant',
      params: endpointParams,
      body: updateWebhookEndpointBody,
      responses: { 200: { description: 'The endpoint as stored', schema: webhookEndpointResponse } },
      errors: [404],
      handler: async ({ params, body }) => {
        await requireEndpoint(params.tenantId, params.id);
        const row = await checkedUrl(() => changeEndpoint(deps, params.tenantId, params.id, body));
        if (!row) throw endpointNotFound();
        return { status: 200, body: toEndpointResponse(row) };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/tenants/:tenantId/webhook-endpoints/:id',
      operationId: 'deleteWebhookEndpoint',
      summary: 'Delete an event endpoint and its deliveries',
      tag: 'event webhooks',
      access: 'tenant',
      params: endpointParams,
      responses: { 204: { description: 'Deleted' } },
      errors: [404],
      handler: async ({ params }) => {
        if (!(await deleteWebhookEndpoint(db, params.tenantId, params.id))) throw endpointNotFound();
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/tenants/:tenantId/webhook-endpoints/:id/rotate-secret',
      operationId: 'rotateWebhookEndpointSecret',
      summary: 'A new signing secret; the old one still signs beside it for 24 h',
      tag: 'event webhooks',
      access: 'tenant',
      params: endpointParams,
      responses: { 200: { description: 'The new secret (shown once)', schema: rotatedSecretResponse } },
      errors: [404],
      handler: async ({ params }) => {
        const row = await rotateEndpointSecret(deps, params.tenantId, params.id);
        if (!row) throw endpointNotFound();
        return { status: 200, body: { id: row.id, secret: row.secret, previousSecretExpiresAt: row.previousSecretExpiresAt!.toISOString() } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/tenants/:tenantId/webhook-endpoints/:id/deliveries',
      operationId: 'listWebhookDeliveries',
      summary: "An endpoint's deliveries, newest first, each with its attempts",
      description: 'Each attempt: HTTP status (null without an answer), duration, error, when the next attempt was scheduled; and the event it carries.',
      tag: 'event webhooks',
      access: 'tenant',
      params: endpointParams,
      query: deliveryQuery,
      responses: { 200: { description: 'A page of deliveries', schema: pageOf(webhookDeliveryResponse, 'WebhookDeliveryPage') } },
      errors: [404],
      handler: async ({ params, query }) => {
        await requireEndpoint(params.tenantId, params.id);
        const page = await listWebhookDeliveries(db, { tenantId: params.tenantId, endpointId: params.id, limit: query.limit, cursor: query.cursor });
        return { status: 200, body: { data: page.data.map(toDeliveryResponse), nextCursor: page.nextCursor } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/tenants/:tenantId/webhook-endpoints/:id/deliveries/:deliveryId/retry',
      operationId: 'retryWebhookDelivery',
      summary: 'Try a delivery again now (same webhook-id), even while an automatic retry is scheduled',
      tag: 'event webhooks',
      access: 'tenant',
      params: deliveryParams,
      responses: { 202: { description: 'The attempt is queued', schema: retryResponse } },
      errors: [404, 409],
      handler: async ({ params }) => {
        if (!UUID.test(params.deliveryId)) throw deliveryNotFound();
        const endpoint = await requireEndpoint(params.tenantId, params.id);
        if (endpoint.disabledAt) throw new ConflictError('webhook_endpoint_disabled', 'The endpoint is disabled: enable it first (PATCH { "disabled": false })');
        const answer = await retryDelivery(deps, params.tenantId, params.id, params.deliveryId.toLowerCase());
        if (answer === 'not_found') throw deliveryNotFound();
        if (answer === 'delivered') throw new ConflictError('webhook_delivery_delivered', 'This delivery has already succeeded');
        return { status: 202, body: { deliveryId: answer.delivery.id, jobId: answer.jobId } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/tenants/:tenantId/webhook-endpoints/:id/test',
      operationId: 'testWebhookEndpoint',
      summary: 'Send a `ping` event to this endpoint',
      tag: 'event webhooks',
      access: 'tenant',
      params: endpointParams,
      responses: { 202: { description: 'The ping is queued; its delivery shows in …/deliveries', schema: testEventResponse } },
      errors: [404, 409],
      handler: async ({ params }) => {
        const endpoint = await requireEndpoint(params.tenantId, params.id);
        if (endpoint.disabledAt) throw new ConflictError('webhook_endpoint_disabled', 'The endpoint is disabled: enable it first (PATCH { "disabled": false })');
        return { status: 202, body: { eventId: await sendTestEvent(deps, params.tenantId, params.id) } };
      },
    }),
  ];
}
