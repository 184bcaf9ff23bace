import { z } from 'zod';
import { decodeCursor, findConversation, listConversations, listMessages, markConversationRead, type ConversationSummary, type Database } from '@fieldhand/db';
import type { Logger } from '@fieldhand/observability';
import type { FieldhandCatalog, JobBus } from '@fieldhand/queues';
import { createOutboundMessage, officeNumbers, TextTooLongError } from '@fieldhand/sms';
import { NotFoundError, ValidationError } from '../errors/http-error.js';
import { defineRoute, type AnyRoute } from '../http/define-route.js';
import { idempotencyKeyOf, requireSender } from '../http/outbound-text.js';
import { requireTenant } from '../http/require-tenant.js';
import { pageOf, pageQuery, uuidParam } from '../schemas/common.js';
import { conversationQuery, conversationSummary, conversationThread, readResponse, replyBody } from '../schemas/conversations.js';
import { messageResponse, phoneInput } from '../schemas/message.js';
import { toMessageResponse } from './messages.js';

const tenantParams = z.object({ tenantId: uuidParam });
const threadParams = z.object({ tenantId: uuidParam, phone: phoneInput });

function toConversationResponse(c: ConversationSummary) {
  return {
    phone: c.phone,
    lastMessage: { ...c.lastMessage, createdAt: c.lastMessage.createdAt.toISOString() },
    unreadCount: c.unreadCount,
    readAt: c.readAt?.toISOString() ?? null,
    open: c.unreadCount > 0,
    optedOut: c.optedOut,
    customer: c.customer ? { id: c.customer.id, name: c.customer.name } : null,
    ghlContact: c.ghlContact,
    lastOutbound: c.lastOutbound ? { ...c.lastOutbound, createdAt: c.lastOutbound.createdAt.toISOString() } : null,
  };
}

const notFound = () => new NotFoundError('conversation_not_found', 'No message to or from this number');

/** The office's view of its customers' texts: one thread per phone, read marks, replies. */
export function conversationRoutes(db: Database, bus: JobBus<FieldhandCatalog>, logger: Logger): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/tenants/:tenantId/conversations',
      operationId: 'listConversations',
      summary: 'List conversations (one per customer phone), newest last message first',
      description:
        'A conversation is every message to and from one customer phone. `unreadCount` counts the inbound texts after the thread was last marked read ' +
        '(POST …/read, or an office reply). A thread is **open** while it has unread inbound texts: the customer has written and no one in the office has looked since; ' +
        'marking it read (or replying) closes it, their next text opens it again. `lastOutbound.partOf` says what our last text was part of. ' +
        'A thread that gets a new message while paging moves to the first page. The tenant\'s office numbers (`alerts.replyTo`) are not customers and have no thread in the list.',
      tag: 'conversations',
      access: 'tenant',
      params: tenantParams,
      query: conversationQuery,
      responses: { 200: { description: 'A page of conversations', schema: pageOf(conversationSummary, 'ConversationPage') } },
      handler: async ({ params, query }) => {
        const cursor = query.cursor ? decodeCursor(query.cursor) : undefined;
        // The office's own numbers (alerts.replyTo) are not customers: their threads are not listed.
        const office = officeNumbers(await requireTenant(db, params.tenantId));
        const page = await listConversations(db, { tenantId: params.tenantId, status: query.status, limit: query.limit, excludePhones: office, ...(cursor ? { cursor } : {}) });
        return { status: 200, body: { data: page.data.map(toConversationResponse), nextCursor: page.nextCursor } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/tenants/:tenantId/conversations/:phone',
      operationId: 'getConversation',
      summary: 'One conversation: its summary and its messages both ways, newest first',
      description: 'The phone in E.164 (`%2B15125550123`) or any form the phone normaliser accepts. Reading does not mark it read: POST …/read does.',
      tag: 'conversations',
      access: 'tenant',
      params: threadParams,
      query: pageQuery,
      responses: { 200: { description: 'The conversation and a page of its messages', schema: conversationThread } },
      errors: [404],
      handler: async ({ params, query }) => {
        const conversation = await findConversation(db, params.tenantId, params.phone);
        if (!conversation) throw notFound();
        const page = await listMessages(db, { tenantId: params.tenantId, phone: params.phone, limit: query.limit, ...(query.cursor ? { cursor: query.cursor } : {}) });
        return { status: 200, body: { conversation: toConversationResponse(conversation), data: page.data.map(toMessageResponse), nextCursor: page.nextCursor } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/tenants/:tenantId/conversations/:phone/messages',
      operationId: 'replyToConversation',
      summary: 'Reply to a conversation from the office',
      description:
        'Queued through the same SMS ledger as POST /messages (the same idempotency key returns the same message; one text reaches Twilio). ' +
        'If the customer texted us within the last 24 h it is a conversational reply: the send window (quiet hours) does not hold it back. ' +
        'An opt-out (STOP) still does: the reply is then canceled, not sent. Replying marks the thread read.',
      tag: 'conversations',
      access: 'tenant',
      params: threadParams,
      body: replyBody,
      responses: { 202: { description: 'Queued (or the message already stored under this key)', schema: messageResponse } },
      errors: [404, 409],
      handler: async ({ params, body, req }) => {
        const tenant = await requireTenant(db, params.tenantId);
        requireSender(tenant);
        const idempotencyKey = idempotencyKeyOf(req, body.idempotencyKey);
        // The customer's address, when the mirror knows it, decides the window a reply outside the 24 h waits for.
        const state = (await findConversation(db, tenant.id, params.phone))?.customer?.state ?? undefined;
        try {
          const { message } = await createOutboundMessage(
            db,
            bus,
            { tenantId: tenant.id, to: params.phone, body: body.body, idempotencyKey, officeReply: true, ...(state ? { location: { state } } : {}) },
            logger,
          );
          await markConversationRead(db, tenant.id, params.phone, new Date());
          return { status: 202, body: toMessageResponse(message), headers: { Location: `/api/v1/tenants/${tenant.id}/messages/${message.id}` } };
        } catch (error) {
          if (error instanceof TextTooLongError) throw new ValidationError(error.message, [{ path: 'body', message: error.message, code: 'too_long' }]);
          throw error;
        }
      },
    }),
    defineRoute({
      method: 'post',
      path: '/tenants/:tenantId/conversations/:phone/read',
      operationId: 'markConversationRead',
      summary: 'Mark a conversation read',
      description: 'Every inbound text so far counts as read (a later mark never moves back); the thread is no longer open until the customer texts again.',
      tag: 'conversations',
      access: 'tenant',
      params: threadParams,
      responses: { 200: { description: 'The read mark', schema: readResponse } },
      errors: [404],
      handler: async ({ params }) => {
        if (!(await findConversation(db, params.tenantId, params.phone))) throw notFound();
        const readAt = await markConversationRead(db, params.tenantId, params.phone, new Date());
        const conversation = await findConversation(db, params.tenantId, params.phone);
        return { status: 200, body: { phone: params.phone, readAt: readAt.toISOString(), unreadCount: conversation?.unreadCount ?? 0 } };
      },
    }),
  ];
}
