import type { Command } from 'commander';
import type { ApiClient } from '../api-client.js';
import { printRows, type Output } from '../output.js';

type PartOf = { kind: 'workflow_run'; workflowKey: string | null; workflowRunId: string } | { kind: 'reminder'; appointmentId: number | null } | { kind: 'office_reply' } | { kind: 'office_alert' } | { kind: 'manual' };
type Conversation = {
  phone: string;
  lastMessage: { direction: 'inbound' | 'outbound'; body: string; status: string; createdAt: string };
  unreadCount: number;
  open: boolean;
  optedOut: boolean;
  customer: { id: number; name: string | null } | null;
  ghlContact: { id: string; name: string | null } | null;
  lastOutbound: { partOf: PartOf } | null;
};
type Message = { id: string; direction: 'inbound' | 'outbound'; body: string; status: string; createdAt: string };

const clip = (text: string, max = 60) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const arrow = (direction: Message['direction']) => (direction === 'inbound' ? '←' : '→');

function describePartOf(partOf: PartOf | undefined): string {
  switch (partOf?.kind) {
    case 'workflow_run':
      return `workflow ${partOf.workflowKey ?? partOf.workflowRunId}`;
    case 'reminder':
      return partOf.appointmentId === null ? 'reminder' : `reminder (appointment ${partOf.appointmentId})`;
    case 'office_reply':
      return 'office reply';
    case 'office_alert':
      return 'office alert';
    case 'manual':
      return 'manual';
    default:
      return '';
  }
}

const flat = (c: Conversation) => ({
  phone: c.phone,
  customer: c.customer?.name ?? c.ghlContact?.name ?? '',
  unread: c.unreadCount,
  last: `${arrow(c.lastMessage.direction)} ${clip(c.lastMessage.body)}`,
  at: c.lastMessage.createdAt,
  lastTextPartOf: describePartOf(c.lastOutbound?.partOf),
  optedOut: c.optedOut ? 'yes' : '',
});

const thread = (tenantId: string, phone: string) => `/tenants/${tenantId}/conversations/${encodeURIComponent(phone)}`;

function limitOf(value: string): number {
  const max = Number(value);
  if (!Number.isInteger(max) || max < 1) throw new Error('--limit must be a positive integer');
  return max;
}

/** `fieldhand conversations …`: customers' threads, read and answered from the office. */
export function registerConversationCommands(program: Command, client: () => ApiClient, output: Output): void {
  const conversations = program.command('conversations').description('customer text threads: list, show, reply, read');

  conversations
    .command('list <tenantId>')
    .description('one line per customer phone, newest last message first')
    .option('--open', 'only threads with unread texts from the customer')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'one JSON object per line')
    .action(async (tenantId: string, opts: { open?: boolean; limit: string; json?: boolean }) => {
      const max = limitOf(opts.limit);
      const rows: Conversation[] = [];
      for await (const c of client().paginate<Conversation>(`/tenants/${tenantId}/conversations`, { status: opts.open ? 'open' : 'all', limit: String(Math.min(max, 200)) })) {
        rows.push(c);
        if (rows.length >= max) break;
      }
      if (opts.json) return printRows(output, rows, [], true);
      printRows(output, rows.map(flat), ['phone', 'customer', 'unread', 'last', 'at', 'lastTextPartOf', 'optedOut'], false);
    });

  conversations
    .command('show <tenantId> <phone>')
    .description('the thread, oldest of the last --limit messages first (does not mark it read)')
    .option('--limit <n>', 'the last this many messages', '50')
    .option('--json', 'the API answer as JSON')
    .action(async (tenantId: string, phone: string, opts: { limit: string; json?: boolean }) => {
      const max = limitOf(opts.limit);
      const page = await client().request<{ conversation: Conversation; data: Message[] }>('GET', `${thread(tenantId, phone)}?limit=${Math.min(max, 200)}`);
      if (opts.json) return output.out(JSON.stringify(page, null, 2));
      const c = flat(page.conversation);
      output.out(`${c.phone}${c.customer ? ` (${c.customer})` : ''}: ${c.unread} unread${page.conversation.optedOut ? ', opted out' : ''}`);
      for (const m of [...page.data].reverse()) output.out(`${m.createdAt}  ${arrow(m.direction)} ${m.body}  [${m.status}]`);
    });

  conversations
    .command('reply <tenantId> <phone> <text...>')
    .description('answer from the office (the same key sends one text however often it is repeated)')
    .option('--key <idempotencyKey>', 'idempotency key')
    .action(async (tenantId: string, phone: string, text: string[], opts: { key?: string }) => {
      const message = await client().request<Message & { to: string }>('POST', `${thread(tenantId, phone)}/messages`, { body: text.join(' '), ...(opts.key ? { idempotencyKey: opts.key } : {}) });
      output.out(`${message.id} ${message.status} → ${message.to}`);
    });

  conversations.command('read <tenantId> <phone>').description('mark the thread read').action(async (tenantId: string, phone: string) => {
    const read = await client().request<{ phone: string; readAt: string }>('POST', `${thread(tenantId, phone)}/read`);
    output.out(`${read.phone} read at ${read.readAt}`);
  });
}
