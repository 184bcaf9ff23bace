import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../executor.js';
import { encodeCursor, type KeysetCursor, type Page } from '../pagination.js';
import { conversationReads, messages } from '../schema/index.js';

// A thread is the tenant's messages to and from one customer phone: `to` on an outbound
// text, `from` on an inbound one. It has no row of its own (conversation_reads only
// remembers how far the office has read).

/** What our last text to the phone was part of, read from its ledger key and first history entry. */
export type TextOrigin =
  | { kind: 'workflow_run'; workflowRunId: string; workflowKey: string | null; workflowName: string | null }
  | { kind: 'reminder'; reminderId: string | null; appointmentId: number | null }
  | { kind: 'office_reply' }
  | { kind: 'office_alert' }
  | { kind: 'manual' };

export type ConversationSummary = {
  phone: string;
  lastMessage: { id: string; direction: 'inbound' | 'outbound'; body: string; status: string; createdAt: Date };
  unreadCount: number;
  readAt: Date | null;
  optedOut: boolean;
  /** The ServiceTitan customer with this phone (a mobile first), when the mirror has one. */
  customer: { id: number; name: string | null; state: string | null } | null;
  /** The GHL contact linked to that customer, else the mirrored contact with this phone. */
  ghlContact: { id: string; name: string | null } | null;
  lastOutbound: { messageId: string; createdAt: Date; partOf: TextOrigin } | null;
};

/** The first history entry of an office reply: the send worker exempts it from the window (see packages/sms). */
export const OFFICE_REPLY_ORIGIN = 'conversation';
/** The first history entry of a staff alert (a reply forwarded to an office number): never held by the window. */
export const OFFICE_ALERT_ORIGIN = 'office_alert';

const WORKFLOW_KEY = /^wf:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):/;
// reminderTextKey, the reminder answers (reminder-confirmed:, reminder-reschedule:) and dispatch notices.
const REMINDER_KEY = /^(?:reminder(?:-[a-z]+)?|dispatch):(\d+):/;

type OriginRow = { key: string | null; origin: string | null; runId: string | null; runKey: string | null; runName: string | null; reminderId: string | null };

function textOrigin(row: OriginRow): TextOrigin {
  const key = row.key ?? '';
  const run = WORKFLOW_KEY.exec(key);
  if (run) return { kind: 'workflow_run', workflowRunId: row.runId ?? run[1]!, workflowKey: row.runKey, workflowName: row.runName };
  const reminder = REMINDER_KEY.exec(key);
  if (reminder || row.reminderId) return { kind: 'reminder', reminderId: row.reminderId, appointmentId: reminder ? Number(reminder[1]) : null };
  if (row.origin === OFFICE_REPLY_ORIGIN) return { kind: 'office_reply' };
  if (row.origin === OFFICE_ALERT_ORIGIN) return { kind: 'office_alert' };
  return { kind: 'manual' };
}

const date = (v: Date | string): Date => (v instanceof Date ? v : new Date(v));
const dateOrNull = (v: Date | string | null): Date | null => (v === null ? null : date(v));

type SummaryRow = {
  phone: string;
  id: string;
  direction: 'inbound' | 'outbound';
  body: string;
  status: string;
  created_at: Date | string;
  cursor_at: string;
  unread: number;
  read_at: Date | string | null;
  opted_out: boolean | null;
  customer_id: string | number | null;
  customer_name: string | null;
  customer_state: string | null;
  ghl_id: string | null;
  ghl_name: string | null;
  out_id: string | null;
  out_at: Date | string | null;
  out_key: string | null;
  out_origin: string | null;
  run_id: string | null;
  run_key: string | null;
  run_name: string | null;
  reminder_id: string | null;
};

function toSummary(row: SummaryRow): ConversationSummary {
  return {
    phone: row.phone,
    lastMessage: { id: row.id, direction: row.direction, body: row.body, status: row.status, createdAt: date(row.created_at) },
    unreadCount: Number(row.unread),
    readAt: dateOrNull(row.read_at),
    optedOut: row.opted_out === true,
    customer: row.customer_id === null ? null : { id: Number(row.customer_id), name: row.customer_name, state: row.customer_state },
    ghlContact: row.ghl_id === null ? null : { id: row.ghl_id, name: row.ghl_name },
    lastOutbound:
      row.out_id === null || row.out_at === null
        ? null
        : {
            messageId: row.out_id,
            createdAt: date(row.out_at),
            partOf: textOrigin({ key: row.out_key, origin: row.out_origin, runId: row.run_id, runKey: row.run_key, runName: row.run_name, reminderId: row.reminder_id }),
          },
  };
}

type SummaryQuery = { tenantId: string; phone?: string; openOnly?: boolean; after?: KeysetCursor; limit: number; excludePhones?: readonly string[] };

/**
 * One summary per thread, newest last message first. The threads are found and counted
 * over the tenant's messages; the customer, GHL contact and last text's origin are looked
 * up for the page's rows only.
 */
async function conversationSummaries(db: Executor, q: SummaryQuery): Promise<Array<ConversationSummary & { cursorAt: string }>> {
  const t = q.tenantId;
  // One thread: its two sides by their own indexes (inbound by "from", outbound by "to"), not a scan of the tenant's texts.
  const phoneFilter = q.phone ? sql`and ((m.direction = 'inbound' and m."from" = ${q.phone}) or (m.direction = 'outbound' and m."to" = ${q.phone}))` : sql``;
  const conditions: SQL[] = [sql`true`];
  if (q.openOnly) conditions.push(sql`s.unread > 0`);
  if (q.excludePhones?.length) conditions.push(sql`s.phone <> all(${`{${q.excludePhones.join(',')}}`}::text[])`);
  if (q.after) conditions.push(sql`(s.created_at, s.id) < (${q.after.at}::timestamptz, ${q.after.id}::uuid)`);
  const { rows } = await db.execute<SummaryRow>(sql`
    with thread as (
      select case when m.direction = 'inbound' then m."from" else m."to" end as phone, m.id, m.direction, m.body, m.status, m.created_at
      from messages m
      where m.tenant_id = ${t} ${phoneFilter}
    ),
    last as (
      select distinct on (phone) phone, id, direction, body, status, created_at
      -- An erased number leaves '' on its texts (people.ts): they belong to no thread.
      from thread where phone <> ''
      order by phone, created_at desc, id desc
    ),
    counts as (
      select t.phone, r.read_at,
        count(*) filter (where t.direction = 'inbound' and t.created_at > coalesce(r.read_at, '-infinity'::timestamptz))::int as unread
      from thread t
      left join conversation_reads r on r.tenant_id = ${t} and r.phone = t.phone
      where t.phone is not null
      group by t.phone, r.read_at
    ),
    summary as (
      select l.*, c.read_at, c.unread from last l join counts c on c.phone = l.phone
    ),
    page as (
      select s.* from summary s
      where ${sql.join(conditions, sql` and `)}
      order by s.created_at desc, s.id desc
      limit ${q.limit + 1}
    )
    select p.phone, p.id, p.direction, p.body, p.status, p.created_at, p.created_at::text as cursor_at, p.unread, p.read_at,
      cp.sms_opt_out as opted_out,
      cu.id as customer_id, cu.name as customer_name, cu.state as customer_state,
      gc.id as ghl_id, gc.name as ghl_name,
      lo.id as out_id, lo.created_at as out_at, lo.idempotency_key as out_key, lo.origin as out_origin,
      wi.id as run_id, wi.definition_key as run_key, wd.name as run_name,
      rem.id as reminder_id
    from page p
    left join communication_preferences cp on cp.tenant_id = ${t} and cp.phone = p.phone
    left join lateral (
      select c.id, c.name, c.state
      from st_customer_contacts cc
      join st_customers c on c.tenant_id = cc.tenant_id and c.id = cc.customer_id
      where cc.tenant_id = ${t} and cc.phone = p.phone and cc.active
      order by (cc.type = 'MobilePhone') desc, c.active desc, c.id
      limit 1
    ) cu on true
    left join ghl_customer_links lnk on lnk.tenant_id = ${t} and lnk.st_customer_id = cu.id
    left join lateral (
      select g.id, coalesce(g.full_name, nullif(concat_ws(' ', g.first_name, g.last_name), '')) as name
      from ghl_contacts g
      where g.tenant_id = ${t} and g.active and (g.id = lnk.ghl_contact_id or g.phone = p.phone)
      order by (g.id = lnk.ghl_contact_id) is true desc, g.modified_on desc, g.id
      limit 1
    ) gc on true
    left join lateral (
      select o.id, o.created_at, o.idempotency_key, o.status_history->0->>'source' as origin
      from messages o
      where o.tenant_id = ${t} and o.direction = 'outbound' and o."to" = p.phone
      order by o.created_at desc, o.id desc
      limit 1
    ) lo on true
    left join workflow_instances wi on wi.tenant_id = ${t}
      and wi.id = (case when lo.idempotency_key ~ ${WORKFLOW_KEY.source} then substring(lo.idempotency_key from 4 for 36)::uuid end)
    left join workflow_definitions wd on wd.id = wi.definition_id
    left join reminders rem on rem.tenant_id = ${t} and rem.message_id = lo.id
    order by p.created_at desc, p.id desc`);
  return rows.map((row) => ({ ...toSummary(row), cursorAt: row.cursor_at }));
}

export type ConversationFilter = {
  tenantId: string;
  status: 'open' | 'all';
  limit: number;
  cursor?: KeysetCursor;
  /** Numbers that are not customers (the tenant's office numbers): no thread of theirs is listed. */
  excludePhones?: readonly string[];
};

/**
 * The tenant's threads, newest last message first. `open`: the customer has texted since
 * the office last read the thread (unread > 0). The cursor is the last message of the
 * page's last thread.
 */
export async function listConversations(db: Executor, filter: ConversationFilter): Promise<Page<ConversationSummary>> {
  const rows = await conversationSummaries(db, {
    tenantId: filter.tenantId,
    openOnly: filter.status === 'open',
    limit: filter.limit,
    ...(filter.cursor ? { after: filter.cursor } : {}),
    ...(filter.excludePhones ? { excludePhones: filter.excludePhones } : {}),
  });
  const page = rows.slice(0, filter.limit);
  const last = page.at(-1);
  return {
    data: page.map(({ cursorAt: _cursorAt, ...summary }) => summary),
    nextCursor: rows.length > filter.limit && last ? encodeCursor({ at: last.cursorAt, id: last.lastMessage.id }) : null,
  };
}

/** One thread's summary; undefined when the tenant has no message to or from the phone. */
export async function findConversation(db: Executor, tenantId: string, phone: string): Promise<ConversationSummary | undefined> {
  const [row] = await conversationSummaries(db, { tenantId, phone, limit: 1 });
  if (!row) return undefined;
  const { cursorAt: _cursorAt, ...summary } = row;
  return summary;
}

/** Marks the thread read up to `at`; never moves an earlier mark back. */
export async function markConversationRead(db: Executor, tenantId: string, phone: string, at: Date): Promise<Date> {
  const [row] = await db
    .insert(conversationReads)
    .values({ tenantId, phone, readAt: at })
    .onConflictDoUpdate({ target: [conversationReads.tenantId, conversationReads.phone], set: { readAt: sql`greatest(${conversationReads.readAt}, excluded.read_at)` } })
    .returning({ readAt: conversationReads.readAt });
  return row!.readAt;
}

/** When the phone last texted the tenant, if ever: a reply within 24 h of it is conversational. */
export async function lastInboundAt(db: Executor, tenantId: string, phone: string): Promise<Date | undefined> {
  const [row] = await db
    .select({ at: messages.createdAt })
    .from(messages)
    .where(and(eq(messages.tenantId, tenantId), eq(messages.direction, 'inbound'), eq(messages.from, phone)))
    .orderBy(desc(messages.createdAt))
    .limit(1);
  return row?.at;
}
