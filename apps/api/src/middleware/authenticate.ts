import type { RequestHandler } from 'express';
import type { Database } from '@fieldhand/db';
import type { Logger } from '@fieldhand/observability';
import { UnauthorizedError } from '../errors/http-error.js';
import { presentedApiKey, resolvePrincipal } from '../http/resolve-principal.js';

/**
 * Resolves the caller's key into `res.locals.principal`. A presented but invalid
 * (or revoked) key is only marked here, so the per-IP limiter that runs next can
 * count it without ever blocking a valid key behind the same address (a NAT full of
 * bad keys must not starve good ones); `refuseInvalidKey` then answers 401. A missing
 * key is left for each route's access rule, so public routes stay public and unknown
 * routes still 404.
 */
export function authenticate(deps: { db: Database; adminKey: string | undefined; logger: Logger }): RequestHandler {
  return async (req, res, next) => {
    const presented = presentedApiKey(req.headers);
    if (presented === undefined) return next();
    const principal = await resolvePrincipal(deps, presented);
    if (principal) res.locals.principal = principal;
    else res.locals.invalidKey = true;
    next();
  };
}

export const refuseInvalidKey: RequestHandler = (_req, res, next) => {
  if (res.locals.invalidKey) throw new UnauthorizedError('The API key is invalid or has been revoked');
  next();
};
