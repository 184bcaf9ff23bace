import { and, eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from '../pg.js';
import type { Database } from '../client.js';
import type { Executor } from '../executor.js';
import { communicationPreferences } from '../schema/index.js';
import { SessionStatement, type SessionSql } from '../session-statement.js';

export type ConsentRow = typeof communicationPreferences.$inferSelect;
export type ConsentSource = 'inbound_sms' | 'api' | 'twilio_21610' | 'ghl';
export type ConsentChange = { tenantId: string; phone: string; optOut: boolean; keyword: string | null; source: ConsentSource };

export async function findConsent(db: Executor, tenantId: string, phone: string): Promise<ConsentRow | undefined> {
  const [row] = await db
    .select()
    .from(communicationPreferences)
    .where(and(eq(communicationPreferences.tenantId, tenantId), eq(communicationPreferences.phone, phone)));
  return row;
}

/** Records an opt-out or opt-in. The row is updated in place, never deleted. */
export async function recordConsent(db: Executor, change: ConsentChange): Promise<ConsentRow> {
  const values = { smsOptOut: change.optOut, keyword: change.keyword, source: change.source, changedAt: new Date() };
  const [row] = await db
    .insert(communicationPreferences)
    .values({ tenantId: change.tenantId, phone: change.phone, ...values })
    .onConflictDoUpdate({ target: [communicationPreferences.tenantId, communicationPreferences.phone], set: values })
    .returning();
  return row!;
}

/**
 * Serialises consent changes against sends to one number, inside a transaction.
 * A send holds the shared lock from its consent check until Twilio has answered;
 * an opt-out takes the exclusive lock, so once its transaction commits no send
 * that saw the old consent can still be on its way to Twilio.
 */
export async function lockConsent(db: Executor, tenantId: string, phone: string, mode: 'shared' | 'exclusive'): Promise<void> {
  const key = consentLockKey(tenantId, phone);
  if (mode === 'shared') await db.execute(sql`select pg_advisory_xact_lock_shared(hashtextextended(${key}, 0))`);
  else await db.execute(sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`);
}

const consentLockKey = (tenantId: string, phone: string) => `${tenantId}:${phone}`;

/**
 * A send's side of lockConsent: a transaction holding the shared lock on one number,
 * opened together with the consent read. Keep it open until Twilio has answered,
 * then end it with commit() (or release(), which rolls back).
 */
export class ConsentGate {
  private drizzleTx: Executor | undefined;

  constructor(
    private readonly client: pg.PoolClient,
    /** False when the claim given to openConsentGate changed no row: the gate is already closed. */
    readonly claimed: boolean,
    /** The opt-out as committed once the lock was granted. */
    readonly optedOut: boolean,
    private open = claimed,
  ) {}

  /** The gate's transaction, for the writes that settle a send which did not go out. */
  get tx(): Executor {
    return (this.drizzleTx ??= drizzle(this.client));
  }

  /** Runs `statement` (if any) and COMMIT in one round trip. */
  async commit(statement?: SessionSql): Promise<void> {
    this.open = false;
    try {
      const batch = SessionStatement.batch(this.client, statement ? [statement, 'commit'] : ['commit']);
      await this.client.query(batch.text);
      batch.prepared();
      this.client.release();
    } catch (error) {
      // Its transaction state is unknown: the pool must not reuse this connection.
      this.client.release(error as Error);
      throw error;
    }
  }

  /** Rolls back unless committed, and returns the connection; safe to call in every `finally`. */
  async release(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    try {
      await this.client.query('rollback');
      this.client.release();
    } catch (error) {
      this.client.release(error as Error);
    }
  }
}

const CONSENT = new SessionStatement(
  'sms_send_consent',
  '(uuid, text) as select sms_opt_out from communication_preferences where tenant_id = $1 and phone = $2',
);

/**
 * BEGIN, the shared consent lock and the consent read in one round trip. Each
 * statement of a simple query takes its own snapshot, so the read runs after the
 * lock is granted and sees an opt-out committed while this send waited for it.
 * `claim` runs first in a transaction of its own, committed before the gate
 * opens; a claim that changes no row closes the gate.
 */
export async function openConsentGate(db: Database, tenantId: string, phone: string, claim?: SessionSql): Promise<ConsentGate> {
  const client = await db.$client.connect();
  try {
    const lock = `select pg_advisory_xact_lock_shared(hashtextextended(${pg.escapeLiteral(consentLockKey(tenantId, phone))}, 0))`;
    const batch = SessionStatement.batch(client, [...(claim ? ['begin', claim, 'commit'] : []), 'begin', lock, CONSENT.execute(tenantId, phone)]);
    const results = (await client.query(batch.text)) as unknown as Array<pg.QueryResult<{ sms_opt_out: boolean }>>;
    batch.prepared();
    // The tail of the results is [begin, claim, commit, begin, lock, consent].
    const claimed = !claim || results.at(-5)!.rowCount! > 0;
    const gate = new ConsentGate(client, claimed, results.at(-1)!.rows[0]?.sms_opt_out === true, true);
    if (!claimed) await gate.release();
    return gate;
  } catch (error) {
    client.release(error as Error);
    throw error;
  }
}
