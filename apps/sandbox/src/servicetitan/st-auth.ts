import type { RequestHandler } from 'express';
import type { StAccount } from '../accounts/account-registry.js';
import type { FaultEngine } from '../faults/fault-engine.js';
import { sendProblem } from './problem.js';
import type { StTokenStore } from './token-store.js';

/** The tenant's account, set by stAuth for the routes after it. */
export function stAccountOf(locals: Record<string, unknown>): StAccount {
  const account = locals['stAccount'];
  if (!account) throw new Error('stAuth must run before ServiceTitan routes');
  return account as StAccount;
}

/**
 * Every API call needs a live bearer token and the application key; the tenant in the
 * path must be the one the token's client is connected to.
 */
export function stAuth(tokens: StTokenStore, faults: FaultEngine): RequestHandler {
  return (req, res, next) => {
    const appKey = req.get('ST-App-Key') ?? (typeof req.query['servicetitanapplicationkey'] === 'string' ? req.query['servicetitanapplicationkey'] : undefined);
    const bearer = /^Bearer (.+)$/i.exec(req.get('Authorization') ?? '')?.[1];
    const path = req.originalUrl.split('?')[0] ?? req.originalUrl;
    if (bearer && faults.roll({ vendor: 'servicetitan', method: req.method, path }, ['token-expiry']).length > 0) {
      tokens.expire(bearer);
    }
    const account = bearer ? tokens.verify(bearer) : undefined;
    if (!account) {
      res.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
      sendProblem(res, 401, 'Unauthorized: the access token is missing, invalid or expired.');
      return;
    }
    if (appKey !== account.appKey) {
      sendProblem(res, 401, 'Unauthorized: the ST-App-Key header is missing or does not match the application.');
      return;
    }
    const tenant = Number(req.params['tenant']);
    if (tenant !== account.tenantId) {
      sendProblem(res, 403, `Forbidden: the application is not connected to tenant ${req.params['tenant']}.`);
      return;
    }
    res.locals['stAccount'] = account;
    next();
  };
}
