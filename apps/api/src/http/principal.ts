import type { ApiKeyScope } from '@fieldhand/db';

/**
 * Who is calling, once their API key has been verified. A tenant key can do what its scopes say.
 * `keyPrefix` names a stored key in the audit log (null: the admin key from the environment).
 */
export type Principal =
  | { kind: 'admin'; keyId: string | null; keyPrefix: string | null }
  | { kind: 'tenant'; tenantId: string; keyId: string; keyPrefix: string; scopes: readonly ApiKeyScope[] };

/** Bucket name for per-key rate limiting; the env admin key has no row, so it gets a fixed name. */
export function rateLimitKey(principal: Principal): string {
  return principal.keyId ?? 'admin-env';
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      correlationId: string;
      principal?: Principal;
      /** A key was presented and is not valid (answered 401 after the per-IP limiter counts it). */
      invalidKey?: boolean;
      /** Route pattern for logs and metrics; bounded cardinality, unlike the raw URL. */
      route?: string;
    }
  }
}
