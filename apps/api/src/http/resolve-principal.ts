import { API_KEY_SCOPES, secretsEqual, touchApiKey, verifyApiKey, type ApiKeyScope, type Database } from '@fieldhand/db';
import type { Logger } from '@fieldhand/observability';
import type { Principal } from './principal.js';

// Recording last use on every request would turn each read into a write.
const TOUCH_INTERVAL_MS = 60_000;

/**
 * Turns a presented key into a principal: the bootstrap admin key from the
 * environment (compared in constant time), or a stored key (hashed, compared in
 * constant time by the repository). A stored key with no tenant is an admin key.
 */
export async function resolvePrincipal(
  deps: { db: Database; adminKey: string | undefined; logger: Logger },
  presented: string,
): Promise<Principal | undefined> {
  if (deps.adminKey !== undefined && secretsEqual(presented, deps.adminKey)) return { kind: 'admin', keyId: null, keyPrefix: null };
  const row = await verifyApiKey(deps.db, presented);
  if (!row) return undefined;
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > TOUCH_INTERVAL_MS) {
    touchApiKey(deps.db, row.id).catch((err: unknown) => deps.logger.warn({ err, keyId: row.id }, 'could not record key use'));
  }
  if (row.tenantId === null) return { kind: 'admin', keyId: row.id, keyPrefix: row.prefix };
  const scopes = row.scopes.filter((s): s is ApiKeyScope => (API_KEY_SCOPES as readonly string[]).includes(s));
  return { kind: 'tenant', tenantId: row.tenantId, keyId: row.id, keyPrefix: row.prefix, scopes };
}

/** The key from `Authorization: Bearer <key>` or `X-API-Key`, if either is present. */
export function presentedApiKey(headers: { authorization?: string | undefined; 'x-api-key'?: string | string[] | undefined }): string | undefined {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  if (bearer) return bearer[1];
  const header = headers['x-api-key'];
  const value = Array.isArray(header) ? header[0] : header;
  return value && value.trim() !== '' ? value.trim() : undefined;
}
