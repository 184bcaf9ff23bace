import express, { Router } from 'express';
import type { AccountRegistry } from '../accounts/account-registry.js';
import type { StTokenStore } from './token-store.js';

/**
 * ServiceTitan's identity server: client-credentials only. Errors follow the OAuth 2
 * shape IdentityServer uses ({"error": "..."} with 400), not RFC 7807.
 */
export function tokenRoutes(accounts: AccountRegistry, tokens: StTokenStore): Router {
  const router = Router();
  router.post('/connect/token', express.urlencoded({ extended: false }), (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    res.setHeader('Cache-Control', 'no-store');
    if (body['grant_type'] !== 'client_credentials') {
      res.status(400).json({ error: 'unsupported_grant_type' });
      return;
    }
    const clientId = typeof body['client_id'] === 'string' ? body['client_id'] : '';
    const account = accounts.stClient(clientId);
    if (!account || body['client_secret'] !== account.clientSecret) {
      res.status(400).json({ error: 'invalid_client' });
      return;
    }
    const { accessToken, expiresIn } = tokens.issue(account);
    res.json({ access_token: accessToken, expires_in: expiresIn, token_type: 'Bearer', scope: 'tenant' });
  });
  return router;
}
