import { and, eq, inArray, lt, or, sql } from 'drizzle-orm';
import type { Executor } from '../executor.js';
import { vendorWrites } from '../schema/index.js';

export type VendorWriteRow = typeof vendorWrites.$inferSelect;
export type NewVendorWrite = Pick<VendorWriteRow, 'tenantId' | 'vendor' | 'operation' | 'key' | 'target'>;

/** Records a write to make once; the same key again finds the first row (created: false). */
export async function recordVendorWrite(db: Executor, write: NewVendorWrite): Promise<{ write: VendorWriteRow; created: boolean }> {
  const [inserted] = await db.insert(vendorWrites).values(write).onConflictDoNothing({ target: [vendorWrites.tenantId, vendorWrites.key] }).returning();
  if (inserted) return { write: inserted, created: true };
  const [existing] = await db.select().from(vendorWrites).where(and(eq(vendorWrites.tenantId, write.tenantId), eq(vendorWrites.key, write.key)));
  return { write: existing!, created: false };
}

export async function findVendorWrite(db: Executor, tenantId: string, id: string): Promise<VendorWriteRow | undefined> {
  const [row] = await db.select().from(vendorWrites).where(and(eq(vendorWrites.tenantId, tenantId), eq(vendorWrites.id, id)));
  return row;
}

export async function findVendorWriteByKey(db: Executor, tenantId: string, key: string): Promise<VendorWriteRow | undefined> {
  const [row] = await db.select().from(vendorWrites).where(and(eq(vendorWrites.tenantId, tenantId), eq(vendorWrites.key, key)));
  return row;
}

/**
 * Claims a write for one attempt: a pending row, or one left `sending` since before
 * `staleBefore` (its worker died mid-call). A twin job finds it claimed and stays out.
 */
export async function claimVendorWrite(db: Executor, id: string, staleBefore: Date): Promise<VendorWriteRow | undefined> {
  const w = vendorWrites;
  const [row] = await db
    .update(w)
    .set({ status: 'sending', claimedAt: new Date(), attempts: sql`${w.attempts} + 1` })
    .where(and(eq(w.id, id), or(eq(w.status, 'pending'), and(eq(w.status, 'sending'), lt(w.claimedAt, staleBefore)))))
    .returning();
  return row;
}

/** Closes an attempt: done (the vendor took it), failed (for good), or pending again (to retry). */
export async function settleVendorWrite(db: Executor, id: string, outcome: { status: 'done' | 'failed' | 'pending'; responseStatus?: number | null; error?: string | null }): Promise<void> {
  const final = outcome.status !== 'pending';
  await db
    .update(vendorWrites)
    .set({ status: outcome.status, responseStatus: outcome.responseStatus ?? null, lastError: outcome.error ?? null, ...(final ? { completedAt: new Date() } : {}) })
    .where(and(eq(vendorWrites.id, id), inArray(vendorWrites.status, ['pending', 'sending'])));
}
