import { z } from 'zod';
import 'zod-openapi';
import { pageQuery } from './common.js';
import { messageResponse } from './message.js';

export const conversationQuery = pageQuery.extend({
  status: z.enum(['open', 'all']).default('all').meta({ description: '`open`: threads with inbound texts the office has not read; `all` (default): every thread' }),
});

const partOf = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('workflow_run'), workflowRunId: z.uuid(), workflowKey: z.string().nullable(), workflowName: z.string().nullable() }),
    z.object({ kind: z.literal('reminder'), reminderId: z.uuid().nullable(), appointmentId: z.number().int().nullable().meta({ description: "ServiceTitan's appointment id" }) }),
    z.object({ kind: z.literal('office_reply') }),
    z.object({ kind: z.literal('office_alert') }),
    z.object({ kind: z.literal('manual') }),
  ])
  .meta({
    id: 'TextOrigin',
    description:
      'What our last text to the number was part of: a workflow run (`wf:` ledger key), an appointment reminder, its answer or a dispatch notice (`reminder…:` / `dispatch:` keys), ' +
      'an office reply through this API, an office alert (the number is one of the tenant\'s office numbers), or `manual` (a text sent with POST /messages).',
  });

export const conversationSummary = z
  .object({
    phone: z.string().meta({ example: '+15125550123' }),
    lastMessage: z.object({
      id: z.uuid(),
      direction: z.enum(['inbound', 'outbound']),
      body: z.string(),
      status: z.string(),
      createdAt: z.iso.datetime(),
    }),
    unreadCount: z.number().int().meta({ description: 'Inbound texts after the thread was last marked read' }),
    readAt: z.iso.datetime().nullable(),
    open: z.boolean().meta({ description: 'unreadCount > 0' }),
    optedOut: z.boolean().meta({ description: 'The number has opted out (STOP): a reply is canceled, not sent' }),
    customer: z
      .object({ id: z.number().int().meta({ description: "ServiceTitan's customer id" }), name: z.string().nullable() })
      .nullable()
      .meta({ description: 'The ServiceTitan customer with this phone in the mirror (a mobile number first)' }),
    ghlContact: z
      .object({ id: z.string(), name: z.string().nullable() })
      .nullable()
      .meta({ description: "The GHL contact linked to that customer, else the mirror's contact with this phone" }),
    lastOutbound: z.object({ messageId: z.uuid(), createdAt: z.iso.datetime(), partOf }).nullable(),
  })
  .meta({ id: 'Conversation' });

export const conversationThread = z
  .object({
    conversation: conversationSummary,
    data: z.array(messageResponse).meta({ description: 'The messages both ways, newest first' }),
    nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` for older messages; null on the last page' }),
  })
  .meta({ id: 'ConversationThread' });

export const replyBody = z
  .strictObject({
    body: z.string().min(1).max(1600),
    idempotencyKey: z.string().min(1).max(200).optional().meta({ description: 'Same key, same message (also the Idempotency-Key header)' }),
  })
  .meta({ id: 'ConversationReply' });

export const readResponse = z.object({ phone: z.string(), readAt: z.iso.datetime(), unreadCount: z.number().int() }).meta({ id: 'ConversationRead' });
