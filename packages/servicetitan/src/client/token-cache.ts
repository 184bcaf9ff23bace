import { createHash } from 'node:crypto';
import type { AxiosInstance } from 'axios';
import { ServiceTitanAuthError, ServiceTitanRetryableError } from './errors.js';

export type ClientCredentials = { clientId: string; clientSecret: string };

type CachedToken = { accessToken: string; expiresAtMs: number };
type Entry = { token?: CachedToken; pending?: Promise<CachedToken> };

// Renew this long before the advertised expiry so a request never leaves with a token
// that dies in flight.
const RENEW_BEFORE_MS = 60_000;

/**
 * Access tokens per credential set: our tenant, the auth URL, the client id and the
 * secret. A token is only ever handed to a caller presenting the credentials it was
 * issued for, and changed credentials authenticate again. ServiceTitan throttles token
 * requests, so concurrent callers share one in-flight request instead of each asking.
 */
function cacheKey(authUrl: string, credentials: ClientCredentials, owner: string): string {
  return createHash('sha256').update(JSON.stringify([owner, authUrl, credentials.clientId, credentials.clientSecret])).digest('base64url');
}

export class TokenCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly http: AxiosInstance,
    private readonly now: () => number = Date.now,
  ) {}

  /** `owner` is our tenant the call is for: tenants never share a token, whatever they saved. */
  async get(authUrl: string, credentials: ClientCredentials, owner = ''): Promise<string> {
    const key = cacheKey(authUrl, credentials, owner);
    const entry = this.entries.get(key) ?? {};
    this.entries.set(key, entry);
    if (entry.token && entry.token.expiresAtMs - RENEW_BEFORE_MS > this.now()) return entry.token.accessToken;
    entry.pending ??= this.request(authUrl, credentials)
      .then((token) => {
        entry.token = token;
        return token;
      })
      .finally(() => {
        entry.pending = undefined;
      });
    return (await entry.pending).accessToken;
  }

  /** Drops a token the API rejected (401), unless a newer one already replaced it. */
  invalidate(authUrl: string, credentials: ClientCredentials, accessToken: string, owner = ''): void {
    const entry = this.entries.get(cacheKey(authUrl, credentials, owner));
    if (entry?.token?.accessToken === accessToken) entry.token = undefined;
  }

  private async request(authUrl: string, credentials: ClientCredentials): Promise<CachedToken> {
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: credentials.clientId, client_secret: credentials.clientSecret });
    const started = this.now();
    let response;
    try {
      response = await this.http.post(`${authUrl.replace(/\/$/, '')}/connect/token`, body.toString(), {
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        responseType: 'text',
        transformResponse: (data: unknown) => data,
        validateStatus: () => true,
      });
    } catch (err) {
      throw new ServiceTitanRetryableError(`token request failed: ${(err as Error).message}`, undefined);
    }
    if (response.status === 429 || response.status >= 500) {
      throw new ServiceTitanRetryableError(`token request answered ${response.status}`, response.status);
    }
    let parsed: { access_token?: unknown; expires_in?: unknown } | undefined;
    try {
      parsed = JSON.parse(String(response.data)) as typeof parsed;
    } catch {
      if (response.status >= 400) throw new ServiceTitanAuthError(response.status, String(response.data).slice(0, 500));
      throw new ServiceTitanRetryableError('token response is not valid JSON', response.status);
    }
    if (response.status >= 400) throw new ServiceTitanAuthError(response.status, parsed);
    if (typeof parsed?.access_token !== 'string' || typeof parsed.expires_in !== 'number') {
      throw new ServiceTitanRetryableError('token response lacks access_token or expires_in', response.status);
    }
    return { accessToken: parsed.access_token, expiresAtMs: started + parsed.expires_in * 1000 };
  }
}
