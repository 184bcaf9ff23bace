import { randomBytes } from 'node:crypto';
import type { StAccount } from '../accounts/account-registry.js';

interface IssuedToken {
  account: StAccount;
  expiresAtMs: number;
}

/** Bearer tokens handed out by /connect/token. Expired ones are swept on issue. */
export class StTokenStore {
  private readonly tokens = new Map<string, IssuedToken>();

  constructor(readonly lifetimeSeconds: number) {}

  issue(account: StAccount, nowMs = Date.now()): { accessToken: string; expiresIn: number } {
    this.sweep(nowMs);
    const accessToken = randomBytes(32).toString('base64url');
    this.tokens.set(accessToken, { account, expiresAtMs: nowMs + this.lifetimeSeconds * 1_000 });
    return { accessToken, expiresIn: this.lifetimeSeconds };
  }

  /** The account a live token belongs to, or undefined for unknown and expired tokens. */
  verify(accessToken: string, nowMs = Date.now()): StAccount | undefined {
    const issued = this.tokens.get(accessToken);
    if (!issued || issued.expiresAtMs <= nowMs) return undefined;
    return issued.account;
  }

  /** Ends a token before its advertised lifetime (the token-expiry fault). */
  expire(accessToken: string): void {
    this.tokens.delete(accessToken);
  }

  private sweep(nowMs: number): void {
    for (const [token, issued] of this.tokens) if (issued.expiresAtMs <= nowMs) this.tokens.delete(token);
  }
}
