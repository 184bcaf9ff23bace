import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, desc, eq, getTableColumns, isNull } from 'drizzle-orm';
import type { Database } from '../client.js';
import { afterCursor, cursorTimestamp, decodeCursor, toPage, type Page } from '../pagination.js';
import { apiKeys } from '../schema/index.js';

export type ApiKeyRow = typeof apiKeys.$inferSelect;

/** What a tenant key may do: read (GET), write (everything else), keys:manage (mint and revoke keys). */
export const API_KEY_SCOPES = ['read', 'write', 'keys:manage'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];
/** A key minted without scopes reads and writes, and cannot mint keys. */
export const DEFAULT_API_KEY_SCOPES: readonly ApiKeyScope[] = ['read', 'write'];

// Keys are `fh_<prefix>_<secret>`: the prefix finds the row, only the secret's hash is stored.
const KEY_PATTERN = /^fh_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function randomAlphanumeric(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(length);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

export type CreatedApiKey = { key: string; row: ApiKeyRow };

/** Creates a key; the plaintext is returned once and never stored. */
export async function createApiKey(
  db: Database,
  input: { tenantId: string | null; name: string; scopes?: readonly ApiKeyScope[] },
): Promise<CreatedApiKey> {
  const prefix = randomAlphanumeric(12);
  const secret = randomBytes(32).toString('base64url');
  const [row] = await db
    .insert(apiKeys)
    .values({
      tenantId: input.tenantId,
      name: input.name,
      prefix,
      hash: sha256(secret).toString('hex'),
      scopes: [...(input.scopes ?? DEFAULT_API_KEY_SCOPES)],
    })
    .returning();
  return { key: `fh_${prefix}_${secret}`, row: row! };
}

/** Finds the active key matching `presented`, comparing hashes in constant time. */
export async function verifyApiKey(db: Database, presented: string): Promise<ApiKeyRow | undefined> {
  const match = KEY_PATTERN.exec(presented);
  if (!match) return undefined;
  const [, prefix, secret] = match as unknown as [string, string, string];
  const [row] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.prefix, prefix), isNull(apiKeys.revokedAt)));
  if (!row) return undefined;
  const expected = Buffer.from(row.hash, 'hex');
  return timingSafeEqual(expected, sha256(secret)) ? row : undefined;
}

/** Constant-time comparison of two secrets of any length (hashing equalises lengths). */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

export async function touchApiKey(db: Database, id: string): Promise<void> {
  await db.update(apiKeys).set({ lastUsedAt: new Date() }).where(eq(apiKeys.id, id));
}

/** Revokes an active key: of the given tenant, or (`tenantId` omitted, for the admin) any key, admin keys included. */
export async function revokeApiKey(db: Database, id: string, tenantId?: string): Promise<boolean> {
  const rows = await db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.id, id), tenantId === undefined ? undefined : eq(apiKeys.tenantId, tenantId), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  return rows.length > 0;
}

/** Keys newest first, never their hashes: one tenant's, or (`tenantId` null) the stored admin keys, or (undefined) all. */
export async function listApiKeys(db: Database, opts: { tenantId?: string | null; limit: number; cursor?: string }): Promise<Page<Omit<ApiKeyRow, 'hash'>>> {
  const after = opts.cursor ? decodeCursor(opts.cursor) : undefined;
  const { hash: _hash, ...columns } = getTableColumns(apiKeys);
  const owner = opts.tenantId === undefined ? undefined : opts.tenantId === null ? isNull(apiKeys.tenantId) : eq(apiKeys.tenantId, opts.tenantId);
  const rows = await db
    .select({ ...columns, cursorAt: cursorTimestamp(apiKeys.createdAt) })
    .from(apiKeys)
    .where(and(owner, after ? afterCursor(apiKeys.createdAt, apiKeys.id, after) : undefined))
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))
    .limit(opts.limit + 1);
  return toPage(rows, opts.limit);
}
