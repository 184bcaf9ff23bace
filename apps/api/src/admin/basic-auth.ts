import type { RequestHandler } from 'express';
import { secretsEqual, verifyApiKey, type Database } from '@fieldhand/db';
import { UnauthorizedError } from '../errors/http-error.js';

/**
 * HTTP Basic for browser-facing admin pages: user `admin`, password = the admin
 * key (FIELDHAND_ADMIN_KEY, or a stored key with no tenant). Browsers cannot send
 * a bearer token from the address bar, which is why this is not the API's scheme.
 */
export function basicAdminAuth(db: Database, adminKey: string | undefined): RequestHandler {
  return async (req, res, next) => {
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(req.get('authorization') ?? '');
    const decoded = match ? Buffer.from(match[1]!, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    const user = colon >= 0 ? decoded.slice(0, colon) : '';
    const password = colon >= 0 ? decoded.slice(colon + 1) : '';
    if (user === 'admin' && password !== '') {
      if (adminKey !== undefined && secretsEqual(password, adminKey)) {
        res.locals.principal = { kind: 'admin', keyId: null, keyPrefix: null };
        return next();
      }
      const row = await verifyApiKey(db, password);
      if (row && row.tenantId === null) {
        res.locals.principal = { kind: 'admin', keyId: row.id, keyPrefix: row.prefix };
        return next();
      }
    }
    throw new UnauthorizedError('Admin credentials are required (user "admin", password = the admin key)', 'Basic');
  };
}
