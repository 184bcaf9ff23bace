import { z } from 'zod';
import { findMessage, listMessages, type Database, type MessageRow } from '@fieldhand/db';
import type { Logger } from '@fieldhand/observability';
import type { FieldhandCatalog, JobBus } from '@fieldhand/queues';
import { createOutboundMessage, InvalidPhoneNumberError, TemplateError, TextTooLongError } from '@fieldhand/sms';
import { NotFoundError, ValidationError } from '../errors/http-error.js';
import { defineRoute, type AnyRoute } from '../http/define-route.js';
import { idempotencyKeyOf, requireSender } from '../http/outbound-text.js';
import { requireTenant } from '../http/require-tenant.js';
import { pageOf, uuidParam } from '../schemas/common.js';
import { messageQuery, messageResponse, sendMessageBody } from '../schemas/message.js';

const tenantParams = z.object({ tenantId: uuidParam });
const messageParams = z.object({ tenantId: uuidParam, id: uuidParam });

export function toMessageResponse(row: MessageRow) {
  return {
    ...row,
    sendAfter: row.sendAfter?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function messageRoutes(db: Database, bus: JobBus<FieldhandCatalog>, logger: Logger): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/tenants/:tenantId/messages',
      operationId: 'sendMessage',
      summary: 'Queue a text message',
      description:
        'Writes the message to the ledger and queues it; the sms worker sends it within the recipient\'s send window. ' +
        'The same idempotency key (body field or Idempotency-Key header) returns the same message.',
      tag: 'messages',
      access: 'tenant',
      params: tenantParams,
      body: sendMessageBody,
      responses: { 202: { description: 'Queued (or the message already stored under this key)', schema: messageResponse } },
      errors: [404, 409],
      handler: async ({ params, body, req }) => {
        const tenant = await requireTenant(db, params.tenantId);
        requireSender(tenant);
        const idempotencyKey = idempotencyKeyOf(req, body.idempotencyKey);
        try {
          const { message } = await createOutboundMessage(db, bus, { tenantId: tenant.id, ...body, idempotencyKey }, logger);
          return { status: 202, body: toMessageResponse(message), headers: { Location: `/api/v1/tenants/${tenant.id}/messages/${message.id}` } };
        } catch (error) {
          if (error instanceof InvalidPhoneNumberError) throw new ValidationError('Invalid request body', [{ path: 'to', message: 'not a valid phone number', code: 'invalid_phone' }]);
          if (error instanceof TemplateError) throw new ValidationError(error.message, error.details);
          if (error instanceof TextTooLongError) throw new ValidationError(error.message, [{ path: 'body', message: error.message, code: 'too_long' }]);
          throw error;
        }
      },
    }),
    defineRoute({
      method: 'get',
      path: '/tenants/:tenantId/messages',
      operationId: 'listMessages',
      summary: 'List text messages, newest first',
      tag: 'messages',
      access: 'tenant',
      params: tenantParams,
      query: messageQuery,
      responses: { 200: { description: 'A page of messages', schema: pageOf(messageResponse, 'MessagePage') } },
      handler: async ({ params, query }) => {
        const page = await listMessages(db, { tenantId: params.tenantId, ...query });
        return { status: 200, body: { data: page.data.map(toMessageResponse), nextCursor: page.nextCursor } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/tenants/:tenantId/messages/:id',
      operationId: 'getMessage',
      summary: 'Get a text message with its status history',
      tag: 'messages',
      access: 'tenant',
      params: messageParams,
      responses: { 200: { description: 'The message', schema: messageResponse } },
      errors: [404],
      handler: async ({ params }) => {
        const row = await findMessage(db, params.tenantId, params.id);
        if (!row) throw new NotFoundError('message_not_found', 'No message with this id');
        return { status: 200, body: toMessageResponse(row) };
      },
    }),
  ];
}
