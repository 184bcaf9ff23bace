import { and, arrayContains, asc, count, desc, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import type { Executor } from '../executor.js';
import { afterCursor, cursorTimestamp, decodeCursor, toPage, type Page } from '../pagination.js';
import { webhookDeliveries, webhookEndpoints, webhookEvents, type WebhookAttempt, type WebhookDeliveryStatus } from '../schema/index.js';

export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;
export type WebhookEventRow = typeof webhookEvents.$inferSelect;
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;
export type NewWebhookEndpoint = Pick<typeof webhookEndpoints.$inferInsert, 'tenantId' | 'url' | 'events' | 'description' | 'secret'>;

// ---- endpoints -------------------------------------------------------------------------

export async function insertWebhookEndpoint(db: Executor, row: NewWebhookEndpoint): Promise<WebhookEndpointRow> {
  const [created] = await db.insert(webhookEndpoints).values(row).returning();
  return created!;
}

export async function countWebhookEndpoints(db: Executor, tenantId: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(webhookEndpoints).where(eq(webhookEndpoints.tenantId, tenantId));
  return row?.n ?? 0;
}

export async function listWebhookEndpoints(db: Executor, tenantId: string): Promise<WebhookEndpointRow[]> {
  return db.select().from(webhookEndpoints).where(eq(webhookEndpoints.tenantId, tenantId)).orderBy(asc(webhookEndpoints.createdAt), asc(webhookEndpoints.id));
}

export async function findWebhookEndpoint(db: Executor, tenantId: string, id: string): Promise<WebhookEndpointRow | undefined> {
  const [row] = await db.select().from(webhookEndpoints).where(and(eq(webhookEndpoints.tenantId, tenantId), eq(webhookEndpoints.id, id)));
  return row;
}

export type WebhookEndpointPatch = Partial<Pick<WebhookEndpointRow, 'url' | 'events' | 'description' | 'disabledAt' | 'disabledReason' | 'firstFailureAt'>>;

export async function updateWebhookEndpoint(db: Executor, tenantId: string, id: string, patch: WebhookEndpointPatch): Promise<WebhookEndpointRow | undefined> {
  const [row] = await db
    .update(webhookEndpoints)
    .set({ ...patch, updatedAt: new Date() })
    .where(and(eq(webhookEndpoints.tenantId, tenantId), eq(webhookEndpoints.id, id)))
    .returning();
  return row;
}

export async function deleteWebhookEndpoint(db: Executor, tenantId: string, id: string): Promise<boolean> {
  const rows = await db.delete(webhookEndpoints).where(and(eq(webhookEndpoints.tenantId, tenantId), eq(webhookEndpoints.id, id))).returning({ id: webhookEndpoints.id });
  return rows.length > 0;
}

/**
 * A new signing secret; the current one becomes the previous one, still signing until
 * `previousUntil`. Under a row lock, so two rotations at once keep a consistent pair.
 */
export async function rotateWebhookEndpointSecret(db: Database, tenantId: string, id: string, secret: string, previousUntil: Date): Promise<WebhookEndpointRow | undefined> {
  return db.transaction(async (tx) => {
    const [current] = await tx
      .select()
      .from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.tenantId, tenantId), eq(webhookEndpoints.id, id)))
      .for('update');
    if (!current) return undefined;
    const [row] = await tx
      .update(webhookEndpoints)
      .set({ secret, previousSecret: current.secret, previousSecretExpiresAt: previousUntil, updatedAt: new Date() })
      .where(eq(webhookEndpoints.id, id))
      .returning();
    return row;
  });
}

/** Enabled endpoints of a tenant subscribed to `type`. */
export async function findSubscribedEndpoints(db: Executor, tenantId: string, type: string): Promise<WebhookEndpointRow[]> {
  return db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.tenantId, tenantId), isNull(webhookEndpoints.disabledAt), arrayContains(webhookEndpoints.events, [type])));
}

/** A failed attempt: the endpoint's failing streak starts now unless it already runs. Returns when it started. */
export async function markWebhookEndpointFailing(db: Executor, id: string, at: Date): Promise<Date | undefined> {
  // Only the streak's first failure writes: the others read, so a failing endpoint's many
  // deliveries do not queue on its row lock.
  const [started] = await db
    .update(webhookEndpoints)
    .set({ firstFailureAt: at })
    .where(and(eq(webhookEndpoints.id, id), isNull(webhookEndpoints.firstFailureAt)))
    .returning({ firstFailureAt: webhookEndpoints.firstFailureAt });
  if (started?.firstFailureAt) return started.firstFailureAt;
  const [row] = await db.select({ firstFailureAt: webhookEndpoints.firstFailureAt }).from(webhookEndpoints).where(eq(webhookEndpoints.id, id));
  return row?.firstFailureAt ?? undefined;
}

/** A success ends the endpoint's failing streak. */
export async function clearWebhookEndpointFailing(db: Executor, id: string): Promise<void> {
  await db.update(webhookEndpoints).set({ firstFailureAt: null }).where(and(eq(webhookEndpoints.id, id), sql`${webhookEndpoints.firstFailureAt} is not null`));
}

/** Disables an endpoint once (a second caller gets undefined), recording why. */
export async function disableWebhookEndpoint(db: Executor, id: string, reason: string, at = new Date()): Promise<WebhookEndpointRow | undefined> {
  const [row] = await db
    .update(webhookEndpoints)
    .set({ disabledAt: at, disabledReason: reason, updatedAt: at })
    .where(and(eq(webhookEndpoints.id, id), isNull(webhookEndpoints.disabledAt)))
    .returning();
  return row;
}

/** Seals every endpoint's secrets with the current key (after a FIELDHAND_ENCRYPTION_KEY rotation). */
export async function reencryptWebhookSecrets(db: Database): Promise<number> {
  const rows = await db.select({ id: webhookEndpoints.id, secret: webhookEndpoints.secret, previousSecret: webhookEndpoints.previousSecret }).from(webhookEndpoints);
  for (const row of rows) await db.update(webhookEndpoints).set({ secret: row.secret, previousSecret: row.previousSecret }).where(eq(webhookEndpoints.id, row.id));
  return rows.length;
}

// ---- events and deliveries -------------------------------------------------------------

export type NewWebhookEvent = Pick<WebhookEventRow, 'tenantId' | 'id' | 'type' | 'timestamp' | 'data'>;

/**
 * Stores an event once by (tenant, id) and opens one delivery per endpoint given (each
 * once by (endpoint, event)); returns every delivery of the event to those endpoints,
 * opened now or by an earlier run.
 */
export async function recordWebhookEvent(db: Database, event: NewWebhookEvent, endpointIds: readonly string[]): Promise<WebhookDeliveryRow[]> {
  return db.transaction(async (tx) => {
    await tx.insert(webhookEvents).values(event).onConflictDoNothing();
    if (endpointIds.length === 0) return [];
    const now = new Date();
    const opened = await tx
      .insert(webhookDeliveries)
      .values(endpointIds.map((endpointId) => ({ tenantId: event.tenantId, eventId: event.id, endpointId, nextAttemptAt: now })))
      .onConflictDoNothing()
      .returning();
    // A re-run: some were opened before; read them all.
    if (opened.length === endpointIds.length) return opened;
    return tx
      .select()
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.eventId, event.id), eq(webhookDeliveries.tenantId, event.tenantId), inArray(webhookDeliveries.endpointId, [...endpointIds])));
  });
}

export async function findWebhookEvent(db: Executor, tenantId: string, id: string): Promise<WebhookEventRow | undefined> {
  const [row] = await db.select().from(webhookEvents).where(and(eq(webhookEvents.tenantId, tenantId), eq(webhookEvents.id, id)));
  return row;
}

export async function findWebhookDeliveryFor(db: Executor, tenantId: string, eventId: string, endpointId: string): Promise<WebhookDeliveryRow | undefined> {
  const [row] = await db
    .select()
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.tenantId, tenantId), eq(webhookDeliveries.eventId, eventId), eq(webhookDeliveries.endpointId, endpointId)));
  return row;
}

/**
 * Claims a delivery for one attempt: not delivered, not held by another attempt whose
 * lease is still running, and due (a job woken early — its attempt was already made by
 * a retry on request — finds it not due). Returns undefined when the job has nothing to do.
 */
export async function claimWebhookDelivery(db: Executor, key: { tenantId: string; eventId: string; endpointId: string }, leaseMs: number): Promise<WebhookDeliveryRow | undefined> {
  const [row] = await db
    .update(webhookDeliveries)
    .set({ status: 'sending', claimedUntil: sql`now() + ${leaseMs} * interval '1 millisecond'`, attempts: sql`${webhookDeliveries.attempts} + 1`, updatedAt: new Date() })
    .where(
      and(
        eq(webhookDeliveries.endpointId, key.endpointId),
        eq(webhookDeliveries.eventId, key.eventId),
        eq(webhookDeliveries.tenantId, key.tenantId),
        sql`${webhookDeliveries.status} <> 'delivered'`,
        or(sql`${webhookDeliveries.status} <> 'sending'`, lt(webhookDeliveries.claimedUntil, sql`now()`)),
        or(isNull(webhookDeliveries.nextAttemptAt), sql`${webhookDeliveries.nextAttemptAt} <= now() + interval '1 second'`),
      ),
    )
    .returning();
  return row;
}

export type WebhookAttemptOutcome = {
  attempt: WebhookAttempt;
  status: Exclude<WebhookDeliveryStatus, 'sending' | 'pending'>;
  nextAttemptAt: Date | null;
};

/** Records the attempt a claim made and the delivery's new state. */
export async function settleWebhookDelivery(db: Executor, id: string, outcome: WebhookAttemptOutcome): Promise<WebhookDeliveryRow | undefined> {
  const delivered = outcome.status === 'delivered';
  const [row] = await db
    .update(webhookDeliveries)
    .set({
      status: outcome.status,
      nextAttemptAt: outcome.nextAttemptAt,
      claimedUntil: null,
      lastStatusCode: outcome.attempt.statusCode,
      lastError: outcome.attempt.error,
      ...(delivered ? { deliveredAt: new Date(outcome.attempt.at) } : {}),
      attemptLog: sql`${webhookDeliveries.attemptLog} || ${JSON.stringify([outcome.attempt])}::jsonb`,
      updatedAt: new Date(),
    })
    .where(eq(webhookDeliveries.id, id))
    .returning();
  return row;
}

/** Ends a delivery that cannot be attempted (its endpoint was disabled) without an attempt. */
export async function abandonWebhookDelivery(db: Executor, id: string, reason: string): Promise<void> {
  await db
    .update(webhookDeliveries)
    .set({ status: 'failed', nextAttemptAt: null, claimedUntil: null, lastError: reason, updatedAt: new Date() })
    .where(and(eq(webhookDeliveries.id, id), sql`${webhookDeliveries.status} <> 'delivered'`));
}

/** Makes a delivery due now (a retry on request): undefined when it is not the tenant's endpoint's, or already delivered. */
export async function makeWebhookDeliveryDue(db: Executor, tenantId: string, endpointId: string, id: string): Promise<WebhookDeliveryRow | undefined> {
  const [row] = await db
    .update(webhookDeliveries)
    .set({
      nextAttemptAt: sql`now()`,
      status: sql`case when ${webhookDeliveries.status} = 'failed' then 'pending' else ${webhookDeliveries.status} end`,
      updatedAt: new Date(),
    })
    .where(and(eq(webhookDeliveries.id, id), eq(webhookDeliveries.tenantId, tenantId), eq(webhookDeliveries.endpointId, endpointId)))
    .returning();
  return row;
}

export async function findWebhookDelivery(db: Executor, tenantId: string, endpointId: string, id: string): Promise<WebhookDeliveryRow | undefined> {
  const [row] = await db
    .select()
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.id, id), eq(webhookDeliveries.tenantId, tenantId), eq(webhookDeliveries.endpointId, endpointId)));
  return row;
}

export type WebhookDeliveryListItem = WebhookDeliveryRow & { event: WebhookEventRow };

/** An endpoint's deliveries, newest first, each with its event. */
export async function listWebhookDeliveries(db: Executor, query: { tenantId: string; endpointId: string; limit: number; cursor?: string | undefined }): Promise<Page<WebhookDeliveryListItem>> {
  const cursor = query.cursor ? decodeCursor(query.cursor) : undefined;
  const rows = await db
    .select({ delivery: webhookDeliveries, event: webhookEvents, cursorAt: cursorTimestamp(webhookDeliveries.createdAt) })
    .from(webhookDeliveries)
    .innerJoin(webhookEvents, and(eq(webhookEvents.tenantId, webhookDeliveries.tenantId), eq(webhookEvents.id, webhookDeliveries.eventId)))
    .where(
      and(
        eq(webhookDeliveries.tenantId, query.tenantId),
        eq(webhookDeliveries.endpointId, query.endpointId),
        cursor ? afterCursor(webhookDeliveries.createdAt, webhookDeliveries.id, cursor) : undefined,
      ),
    )
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(query.limit + 1);
  return toPage(
    rows.map((r) => ({ ...r.delivery, event: r.event, cursorAt: r.cursorAt })),
    query.limit,
  );
}

/**
 * Deliveries owed an attempt with no attempt running: due for over `graceMs` but never
 * picked up (Redis lost the job, a crash between the commit and the enqueue), or held by
 * an attempt whose lease ran out (its worker died; the lease already outlasts the longest
 * attempt, so no grace is added to it).
 */
export async function findOverdueWebhookDeliveries(db: Executor, graceMs: number, limit: number): Promise<WebhookDeliveryRow[]> {
  const before = sql`now() - ${graceMs} * interval '1 millisecond'`;
  return db
    .select()
    .from(webhookDeliveries)
    .where(
      or(
        and(inArray(webhookDeliveries.status, ['pending', 'retrying']), lt(webhookDeliveries.nextAttemptAt, before)),
        and(eq(webhookDeliveries.status, 'sending'), lt(webhookDeliveries.claimedUntil, sql`now()`)),
      ),
    )
    .orderBy(asc(webhookDeliveries.nextAttemptAt))
    .limit(limit);
}
