import { and, desc, eq, getTableColumns, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../client.js';
import type { Executor } from '../executor.js';
import { afterCursor, cursorTimestamp, decodeCursor, toPage, type Page } from '../pagination.js';
import { messages, tenants, type MessageStatusEntry } from '../schema/index.js';
import { SessionStatement, type SessionSql } from '../session-statement.js';
import { lockConsent } from './consent.js';
import type { TenantRow } from './tenants.js';

export type MessageRow = typeof messages.$inferSelect;
export type NewMessage = typeof messages.$inferInsert;

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

/**
 * Inserts an outbound message, or returns the one already stored under the same idempotency key.
 * `origin` is the source of its first history entry: who queued it (`api`, or an office reply's `conversation`).
 */
export async function insertOutboundMessage(db: Executor, row: NewMessage, origin = 'api'): Promise<{ message: MessageRow; created: boolean }> {
  const [inserted] = await db
    .insert(messages)
    .values({ ...row, statusHistory: [historyEntry(row.status, origin)] })
    .onConflictDoNothing({ target: [messages.tenantId, messages.idempotencyKey] })
    .returning();
  if (inserted) return { message: inserted, created: true };
  const [existing] = await db
    .select()
    .from(messages)
    .where(and(eq(messages.tenantId, row.tenantId), eq(messages.idempotencyKey, row.idempotencyKey!)));
  return { message: existing!, created: false };
}

export async function findMessage(db: Executor, tenantId: string, id: string): Promise<MessageRow | undefined> {
  const [row] = await db.select().from(messages).where(and(eq(messages.tenantId, tenantId), eq(messages.id, id)));
  return row;
}

/** The message stored under an idempotency key (a reminder's, a workflow step's), if any. */
export async function findMessageByKey(db: Executor, tenantId: string, key: string): Promise<MessageRow | undefined> {
  const [row] = await db.select().from(messages).where(and(eq(messages.tenantId, tenantId), eq(messages.idempotencyKey, key)));
  return row;
}

/** Our last text to this number that left for Twilio before `before`: what a reply answers. */
export async function findLastTextTo(db: Executor, tenantId: string, phone: string, before: Date): Promise<MessageRow | undefined> {
  const [row] = await db
    .select()
    .from(messages)
    .where(and(eq(messages.tenantId, tenantId), eq(messages.to, phone), eq(messages.direction, 'outbound'), lt(messages.createdAt, before), sql`${messages.status} not in ('queued', 'canceled')`))
    .orderBy(desc(messages.createdAt), desc(messages.id))
    .limit(1);
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

/** The texts still queued for one number (an opt-out cancels them). */
export async function queuedSendsTo(db: Executor, tenantId: string, to: string): Promise<string[]> {
  const rows = await db
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.tenantId, tenantId), eq(messages.to, to), eq(messages.direction, 'outbound'), eq(messages.status, 'queued')));
  return rows.map((row) => row.id);
}

/**
 * Outbound texts still `queued` or `sending` whose last change is older than `before`
 * and that were due by then: their send job may be gone from Redis.
 */
export async function findOverdueSends(db: Executor, before: Date, limit: number): Promise<Array<{ id: string; tenantId: string }>> {
  return db
    .select({ id: messages.id, tenantId: messages.tenantId })
    .from(messages)
    .where(
      and(
        inArray(messages.status, ['queued', 'sending']),
        eq(messages.direction, 'outbound'),
        lt(messages.updatedAt, before),
        // A text held for quiet hours is not late until its send window opens.
        or(isNull(messages.sendAfter), lt(messages.sendAfter, before)),
      ),
    )
    .limit(limit);
}

/** Which of `sids` a message of ours already holds. */
export async function storedTwilioSids(db: Executor, sids: readonly string[]): Promise<Set<string>> {
  if (sids.length === 0) return new Set();
  const rows = await db.select({ sid: messages.twilioSid }).from(messages).where(inArray(messages.twilioSid, [...sids]));
  return new Set(rows.flatMap((row) => (row.sid === null ? [] : [row.sid])));
}

/**
 * A message's status read under the exclusive consent lock of its number, so after every
 * send to that number holding the shared lock has finished (see lockConsent).
 */
export async function statusAfterSendsInFlight(db: Database, message: Pick<MessageRow, 'id' | 'tenantId' | 'to'>): Promise<string | undefined> {
  return db.transaction(async (tx) => {
    await lockConsent(tx, message.tenantId, message.to, 'exclusive');
    const [row] = await tx.select({ status: messages.status }).from(messages).where(eq(messages.id, message.id));
    return row?.status;
  });
}

export type CallbackOutcome = 'applied' | 'duplicate' | 'unknown';

/**
 * Whose messages a status callback may touch: the tenant its URL named (every send
 * since per-tenant callback URLs), or, for a callback signed with the deployment's
 * own token, only tenants texting through the deployment's Twilio account.
 */
export type CallbackScope = { tenantId: string } | { deploymentAccount: true };

function scopeCondition(scope: CallbackScope): SQL {
  if ('tenantId' in scope) return eq(messages.tenantId, scope.tenantId);
  return sql`${messages.tenantId} in (select ${tenants.id} from ${tenants} where coalesce(${tenants.twilio}->>'accountSid', '') = '')`;
}

/** The message of `scope` Twilio knows as `sid` (a status callback's event reads what the callback left). */
export async function findMessageBySid(db: Executor, scope: CallbackScope, sid: string): Promise<MessageRow | undefined> {
  const [row] = await db.select().from(messages).where(and(eq(messages.twilioSid, sid), scopeCondition(scope)));
  return row;
}

/** The tenant of the message Twilio knows as `sid`, if we stored it. */
export async function findTenantOfMessageSid(db: Executor, sid: string): Promise<TenantRow | undefined> {
  const [row] = await db
    .select({ tenant: tenants })
    .from(messages)
    .innerJoin(tenants, eq(tenants.id, messages.tenantId))
    .where(eq(messages.twilioSid, sid))
    .limit(1);
  return row?.tenant;
}

/**
 * Applies a Twilio status callback. Deduplicated on (MessageSid, MessageStatus)
 * through the history; the status only moves forward, so callbacks arriving out
 * of order cannot undo a final state. Every new status is kept in the history.
 *
 * The update and the read that explains a miss are two statements, two snapshots:
 * a send that commits its SID between them is seen by the read only. That is not a
 * duplicate — the update runs again and now finds the row.
 */
export async function applyStatusCallback(db: Executor, scope: CallbackScope, sid: string, status: string, errorCode: number | null): Promise<CallbackOutcome> {
  const ours = and(eq(messages.twilioSid, sid), scopeCondition(scope));
  const probe = JSON.stringify([{ status, source: 'callback' }]);
  const advances = sql`${rankOf(status)} > ${STATUS_RANK}`;
  for (let tries = 0; tries < 3; tries++) {
    const updated = await db
      .update(messages)
      .set({
        statusHistory: appendHistory(historyEntry(status, 'callback', errorCode)),
        status: sql`case when ${advances} then ${status} else ${messages.status} end`,
        errorCode: sql`case when ${advances} then coalesce(${errorCode}::int, ${messages.errorCode}) else ${messages.errorCode} end`,
        updatedAt: new Date(),
      })
      .where(and(ours, sql`not (${messages.statusHistory} @> ${probe}::jsonb)`))
      .returning({ id: messages.id });
    if (updated.length > 0) return 'applied';
    const [known] = await db
      .select({ seen: sql<boolean>`${messages.statusHistory} @> ${probe}::jsonb` })
      .from(messages)
      .where(ours);
    if (!known) return 'unknown';
    if (known.seen) return 'duplicate';
  }
  // Still neither applied nor seen: report it unknown, so it is kept and retried rather than dropped.
  return 'unknown';
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

const CLAIM = new SessionStatement(
  'sms_send_claim',
  `(uuid, timestamptz, jsonb) as update messages set status = 'sending', claimed_at = $2, status_history = status_history || $3, updated_at = $2
   where id = $1 and status = 'queued'`,
);

const ACCEPTED = new SessionStatement(
  'sms_send_accepted',
  `(uuid, text, text, jsonb, timestamptz) as update messages set status = 'accepted', twilio_sid = $2, "from" = $3,
   status_history = status_history || $4, updated_at = $5 where id = $1 and status = 'sending'`,
);

/**
 * queued → sending (claim, then act), to ride in the round trip that opens the
 * consent gate; it is committed before the gate opens, so a crash at Twilio leaves
 * the row `sending`.
 */
export function claimStatement(id: string, at = new Date()): SessionSql {
  const entry: MessageStatusEntry = { status: 'sending', at: at.toISOString(), source: 'worker' };
  return CLAIM.execute(id, at.toISOString(), JSON.stringify([entry]));
}

/** sending → accepted, to ride in the same round trip as the COMMIT that ends a consent gate. */
export function acceptedStatement(id: string, twilioSid: string, from: string | null, at = new Date()): SessionSql {
  const entry: MessageStatusEntry = { status: 'accepted', at: at.toISOString(), source: 'twilio' };
  return ACCEPTED.execute(id, twilioSid, from, JSON.stringify([entry]), at.toISOString());
}
