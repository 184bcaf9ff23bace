import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import twilio from 'twilio';
import { TwilioHttpClient } from './twilio-http-client.js';

export type TwilioCredentials = { accountSid: string; authToken: string };
export type TwilioClient = twilio.Twilio;

/**
 * The official client, pointed at `apiUrl`: the package has no base-URL option,
 * so its HTTP client rewrites the host (the library's documented custom-client route).
 */
export function createTwilioClient(apiUrl: string, credentials: TwilioCredentials, timeoutMs: number): TwilioClient {
  return twilio(credentials.accountSid, credentials.authToken, { httpClient: new TwilioHttpClient(apiUrl, timeoutMs) });
}

/** One client per account, reused across jobs (keep-alive connections). */
// One client per credential set in use; rotated or removed credentials age out.
const MAX_CLIENTS = 1_000;

export class TwilioClients {
  private readonly clients = new LRUCache<string, TwilioClient>({ max: MAX_CLIENTS });

  constructor(
    private readonly apiUrl: string,
    private readonly timeoutMs: number,
  ) {}

  get(credentials: TwilioCredentials): TwilioClient {
    const key = createHash('sha256').update(`${credentials.accountSid}:${credentials.authToken}`).digest('base64url');
    let client = this.clients.get(key);
    if (!client) {
      client = createTwilioClient(this.apiUrl, credentials, this.timeoutMs);
      this.clients.set(key, client);
    }
    return client;
  }
}

/** `twilio.validateRequest`: HMAC-SHA1 over the public URL plus the sorted POST parameters. */
export function isValidTwilioSignature(authToken: string, signature: string | undefined, url: string, params: Record<string, string>): boolean {
  if (!signature) return false;
  return twilio.validateRequest(authToken, signature, url, params);
}
