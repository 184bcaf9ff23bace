// GHL answers errors as `{ statusCode, message, error? }` (message sometimes a list);
// each error keeps them and says whether trying again can help (`permanent`).

export type GhlErrorBody = { statusCode?: number; message?: string | string[]; error?: string; [key: string]: unknown };

export function describeGhlError(body: GhlErrorBody | string | undefined): string {
  if (body === undefined) return '';
  if (typeof body === 'string') return body.slice(0, 500);
  const message = Array.isArray(body.message) ? body.message.join('; ') : body.message;
  return message ?? JSON.stringify(body).slice(0, 500);
}

/** 429, 5xx, timeouts, connection failures, broken bodies: another attempt may succeed. */
export class GhlRetryableError extends Error {
  readonly permanent = false;

  constructor(
    message: string,
    readonly statusCode: number | undefined,
    /** The wait GHL asked for (Retry-After) or its rate-limit interval. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'GhlRetryableError';
  }
}

/** A 4xx other than 401 and 429: the request itself is wrong; retrying cannot fix it. */
export class GhlRequestError extends Error {
  readonly permanent = true;

  constructor(
    readonly statusCode: number,
    readonly method: string,
    readonly path: string,
    readonly body: GhlErrorBody | string | undefined,
  ) {
    super(`GHL ${method} ${path} failed with ${statusCode}: ${describeGhlError(body)}`);
    this.name = 'GhlRequestError';
  }
}

/**
 * GHL refused the location's token (401) on every one of a handful of attempts: nothing
 * helps until someone changes the credentials, so the caller stops asking.
 */
export class GhlAuthError extends Error {
  readonly permanent = true;
  readonly statusCode = 401;

  constructor(
    readonly locationId: string,
    readonly body: GhlErrorBody | string | undefined,
  ) {
    super(`GHL refused the token of location ${locationId} (401): ${describeGhlError(body)}`);
    this.name = 'GhlAuthError';
  }
}

/** Our tenant has no GHL location connected. */
export class GhlNotConfiguredError extends Error {
  readonly permanent = true;

  constructor(readonly tenantId: string) {
    super(`Tenant ${tenantId} has no GHL location`);
    this.name = 'GhlNotConfiguredError';
  }
}
