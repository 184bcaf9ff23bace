import { asc, eq, gt, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { TENANT_SECRET_FIELDS, tenants } from '../schema/index.js';
import { reencryptWebhookSecrets } from './webhooks.js';
import { currentEncryptionKeyId, EncryptionKeyError, sealedWith } from '../secrets/secret-box.js';

const BATCH = 100;

/** The key id sealing each secret of a stored vendor block, as stored; 'clear' for one stored unencrypted. */
function keysIn(raw: string | null, fields: readonly string[]): string[] {
  if (!raw) return [];
  const block = JSON.parse(raw) as Record<string, unknown>;
  return fields.map((f) => block[f]).filter((v): v is string => typeof v === 'string').map((v) => sealedWith(v) ?? 'clear');
}

/**
 * Seals every tenant's vendor secrets with the current key: after a key rotation
 * (new FIELDHAND_ENCRYPTION_KEY, the old one in FIELDHAND_ENCRYPTION_PREVIOUS_KEYS),
 * or to encrypt secrets stored before encryption existed. Rows are read and written
 * back through the sealed columns in batches, each row in its own statement; the
 * signing secrets of their event endpoints likewise.
 */
export async function reencryptTenantSecrets(db: Database): Promise<{ keyId: string; rows: number }> {
  const keyId = currentEncryptionKeyId();
  if (!keyId) throw new EncryptionKeyError('FIELDHAND_ENCRYPTION_KEY is not set: nothing to encrypt with');
  let rows = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const page = await db
      .select({ id: tenants.id, servicetitan: tenants.servicetitan, ghl: tenants.ghl, twilio: tenants.twilio })
      .from(tenants)
      .where(gt(tenants.id, after))
      .orderBy(asc(tenants.id))
      .limit(BATCH);
    for (const row of page) {
      await db.update(tenants).set({ servicetitan: row.servicetitan, ghl: row.ghl, twilio: row.twilio }).where(eq(tenants.id, row.id));
      rows++;
    }
    if (page.length < BATCH) break;
    after = page.at(-1)!.id;
  }
  // Event endpoint signing secrets are the tenants' secrets too.
  rows += await reencryptWebhookSecrets(db);
  return { keyId, rows };
}

/** How many tenant secrets each key seals, as stored (for operators checking a rotation). */
export async function tenantSecretKeys(db: Database): Promise<Record<string, number>> {
  const rows = await db.select({ st: sql<string | null>`${tenants.servicetitan}::text`, ghl: sql<string | null>`${tenants.ghl}::text`, twilio: sql<string | null>`${tenants.twilio}::text` }).from(tenants);
  const counts: Record<string, number> = {};
  for (const row of rows) {
    const ids = [...keysIn(row.st, TENANT_SECRET_FIELDS.servicetitan), ...keysIn(row.ghl, TENANT_SECRET_FIELDS.ghl), ...keysIn(row.twilio, TENANT_SECRET_FIELDS.twilio)];
    for (const id of ids) counts[id] = (counts[id] ?? 0) + 1;
  }
  return counts;
}
