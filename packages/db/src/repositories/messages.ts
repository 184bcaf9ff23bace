import { and, desc, eq, getTableColumns, inArray, sql, type SQL } from 'drizzle-orm';
import pg from 'pg';
import type { Database } from '../client.js';
import { afterCursor, cursorTimestamp, decodeCursor, toPage, type Page } from '../pagination.js';
import { messages, tenants, type MessageStatusEntry } from '../schema/index.js';
import type { TenantRow } from './tenants.js';

export type MessageRow = typeof messages.$inferSelect;
export type NewMessage = typeof messages.$inferInsert;
/** A database or an open transaction: ledger writes often ride inside a caller's transaction. */
export type Executor = Pick<Database, 'select' | 'insert' | 'update' | 'execute'>;

// Later states win; a late `sent` never overwrites delivered/undelivered/failed.
const STATUS_RANK = sql`case ${messages.status}
  when 'accepted' then 1 when 'sent' then 2
  when 'delivered' then 3 when 'undelivered' then 3 when 'failed' then 3 when 'canceled' then 3
  else 0 end`;
const rankOf = (status: string): number => ({ accepted: 1, sent: 2, delivered: 3, undelivered: 3, failed: 3, canceled: 3 })[status] ?? 0;

export function historyEntry(status: string, source: string, errorCode?: number | null): MessageStatusEntry {
  return { status, at: new Date().toISOString(), source, ...(errorCode != null ? { errorCode } : {}) };
}

const appendHistory = (entry: MessageStatusEntry) => sql`${messages.statusHistory} || ${JSON.stringify([entry])}::jsonb`;

/** Inserts an outbound message, or returns the one already stored under the same idempotency key. */
export async function insertOutboundMessage(db: Executor, row: NewMessage): Promise<{ message: MessageRow; created: boolean }> {
  const [inserted] = await db
    .insert(messages)
    .values({ ...row, statusHistory: [historyEntry(row.status, 'api')] })
    .onConflictDoNothing({ target: [messages.tenantId, messages.idempotencyKey] })
    .returning();
  if (inserted) return { message: inserted, created: true };
  const [existing] = await db
    .select()
    .from(messages)
    .where(and(eq(messages.tenantId, row.tenantId), eq(messages.idempotencyKey, row.idempotencyKey!)));
  return { message: existing!, created: false };
}

/** Stores an inbound text; undefined when Twilio redelivered a MessageSid already stored. */
export async function insertInboundMessage(db: Executor, row: Omit<NewMessage, 'direction' | 'status'>): Promise<MessageRow | undefined> {
  const [inserted] = await db
    .insert(messages)
    .values({ ...row, direction: 'inbound', status: 'received', statusHistory: [historyEntry('received', 'webhook')] })
    .onConflictDoNothing({ target: messages.twilioSid })
    .returning();
  return inserted;
}

export async function findMessage(db: Executor, tenantId: string, id: string): Promise<MessageRow | undefined> {
  const [row] = await db.select().from(messages).where(and(eq(messages.tenantId, tenantId), eq(messages.id, id)));
  return row;
}

export async function findMessageById(db: Executor, id: string): Promise<MessageRow | undefined> {
  const [row] = await db.select().from(messages).where(eq(messages.id, id));
  return row;
}

export type MessageFilter = { tenantId: string; phone?: string; direction?: 'inbound' | 'outbound'; status?: string; limit: number; cursor?: string };

export async function listMessages(db: Database, filter: MessageFilter): Promise<Page<MessageRow>> {
  const conditions: SQL[] = [eq(messages.tenantId, filter.tenantId)];
  if (filter.phone) {
    // The customer's number is `to` on an outbound text and `from` on an inbound one.
    conditions.push(sql`(${messages.to} = ${filter.phone} or ${messages.from} = ${filter.phone})`);
  }
  if (filter.direction) conditions.push(eq(messages.direction, filter.direction));
  if (filter.status) conditions.push(eq(messages.status, filter.status));
  const after = filter.cursor ? decodeCursor(filter.cursor) : undefined;
  if (after) conditions.push(afterCursor(messages.createdAt, messages.id, after));
  const rows = await db
    .select({ ...getTableColumns(messages), cursorAt: cursorTimestamp(messages.createdAt) })
    .from(messages)
    .where(and(...conditions))
    .orderBy(desc(messages.createdAt), desc(messages.id))
    .limit(filter.limit + 1);
  return toPage<MessageRow>(rows, filter.limit);
}

export type StatusChange = {
  status: string;
  source: string;
  twilioSid?: string | null;
  from?: string | null;
  errorCode?: number | null;
  errorMessage?: string | null;
  sendAfter?: Date | null;
  claimedAt?: Date | null;
};

/**
 * Moves a message to a new status only if it is still in one of `fromStatuses`
 * (claim, then act): returns the updated row, or undefined when another worker
 * or a callback got there first.
 */
export async function transitionMessage(db: Executor, id: string, fromStatuses: string[], change: StatusChange): Promise<MessageRow | undefined> {
  const { source, ...fields } = change;
  const [row] = await db
    .update(messages)
    .set({ ...fields, statusHistory: appendHistory(historyEntry(change.status, source, change.errorCode)), updatedAt: new Date() })
    .where(and(eq(messages.id, id), inArray(messages.status, fromStatuses)))
    .returning();
  return row;
}

export type CallbackOutcome = 'applied' | 'duplicate' | 'unknown';

/**
 * Applies a Twilio status callback. Deduplicated on (MessageSid, MessageStatus)
 * through the history; the status only moves forward, so callbacks arriving out
 * of order cannot undo a final state. Every new status is kept in the history.
 */
export async function applyStatusCallback(db: Executor, sid: string, status: string, errorCode: number | null): Promise<CallbackOutcome> {
  const probe = JSON.stringify([{ status, source: 'callback' }]);
  const advances = sql`${rankOf(status)} > ${STATUS_RANK}`;
  const updated = await db
    .update(messages)
    .set({
      statusHistory: appendHistory(historyEntry(status, 'callback', errorCode)),
      status: sql`case when ${advances} then ${status} else ${messages.status} end`,
      errorCode: sql`case when ${advances} then coalesce(${errorCode}::int, ${messages.errorCode}) else ${messages.errorCode} end`,
      updatedAt: new Date(),
    })
    .where(and(eq(messages.twilioSid, sid), sql`not (${messages.statusHistory} @> ${probe}::jsonb)`))
    .returning({ id: messages.id });
  if (updated.length > 0) return 'applied';
  const [known] = await db.select({ id: messages.id }).from(messages).where(eq(messages.twilioSid, sid));
  return known ? 'duplicate' : 'unknown';
}

// The send path runs once per text, so its read is built once per database and
// prepared by name: neither drizzle nor PostgreSQL plans it again for every send.
const sendableQueries = new WeakMap<Database, ReturnType<typeof prepareSendable>>();

function prepareSendable(db: Database) {
  return db
    .select({ message: messages, tenant: tenants })
    .from(messages)
    .innerJoin(tenants, eq(tenants.id, messages.tenantId))
    .where(and(eq(messages.tenantId, sql.placeholder('tenantId')), eq(messages.id, sql.placeholder('messageId'))))
    .prepare('sms_send_find_sendable');
}

/** A message with its tenant, in one round trip: what a send needs to decide. */
export async function findSendable(db: Database, tenantId: string, messageId: string): Promise<{ message: MessageRow; tenant: TenantRow } | undefined> {
  let query = sendableQueries.get(db);
  if (!query) sendableQueries.set(db, (query = prepareSendable(db)));
  const [row] = await query.execute({ tenantId, messageId });
  return row;
}

/**
 * queued → sending (claim, then act) as SQL text with its values inlined (escaped by
 * pg), so it can ride in the round trip that opens the consent gate; it is
 * committed before the gate opens, so a crash at Twilio leaves the row `sending`.
 */
export function claimStatement(id: string, at = new Date()): string {
  const entry: MessageStatusEntry = { status: 'sending', at: at.toISOString(), source: 'worker' };
  return `update messages set status = 'sending', claimed_at = ${pg.escapeLiteral(at.toISOString())},
    status_history = status_history || ${pg.escapeLiteral(JSON.stringify([entry]))}::jsonb, updated_at = ${pg.escapeLiteral(at.toISOString())}
    where id = ${pg.escapeLiteral(id)} and status = 'queued'`;
}

/**
 * sending → accepted as SQL text with its values inlined (escaped by pg), so it can
 * ride in the same round trip as the COMMIT that ends a consent gate.
 */
export function acceptedStatement(id: string, twilioSid: string, from: string | null, at = new Date()): string {
  const literal = (value: string | null) => (value === null ? 'null' : pg.escapeLiteral(value));
  const entry: MessageStatusEntry = { status: 'accepted', at: at.toISOString(), source: 'twilio' };
  return `update messages set status = 'accepted', twilio_sid = ${literal(twilioSid)}, "from" = ${literal(from)},
    status_history = status_history || ${literal(JSON.stringify([entry]))}::jsonb, updated_at = ${literal(at.toISOString())}
    where id = ${literal(id)} and status = 'sending'`;
}
