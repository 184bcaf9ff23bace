// Each error says whether trying again can help (`permanent`); what that means for a job
// is up to the job layer (@fieldhand/sync fails a permanent one at once).

/** ServiceTitan's RFC 7807 error body, kept verbatim for the dead-letter record. */
export type ProblemDetails = {
  type?: string;
  title?: string;
  status?: number;
  traceId?: string;
  errors?: Record<string, string[]>;
  [key: string]: unknown;
};

/** A failure that may succeed if tried again (429, 5xx, timeouts, broken bodies). */
export class ServiceTitanRetryableError extends Error {
  readonly permanent = false;

  constructor(
    message: string,
    readonly status: number | undefined,
    /** Server-requested wait (Retry-After), if any. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ServiceTitanRetryableError';
  }
}

/**
 * A 4xx that retrying cannot fix (bad request, forbidden tenant, unknown path). Its
 * message carries the vendor's problem body so an operator sees why.
 */
export class ServiceTitanRequestError extends Error {
  readonly permanent = true;

  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly problem: ProblemDetails | string | undefined,
  ) {
    super(`ServiceTitan ${method} ${path} failed with ${status}: ${typeof problem === 'string' ? problem.slice(0, 500) : JSON.stringify(problem)}`);
    this.name = 'ServiceTitanRequestError';
  }
}

/** The identity server refused the credentials: no retry helps until someone fixes them. */
export class ServiceTitanAuthError extends Error {
  readonly permanent = true;

  constructor(readonly status: number, readonly body: unknown) {
    super(`ServiceTitan token request failed with ${status}: ${JSON.stringify(body)}`);
    this.name = 'ServiceTitanAuthError';
  }
}

/** Our tenant has no ServiceTitan credentials saved: nothing to call until someone adds them. */
export class ServiceTitanNotConfiguredError extends Error {
  readonly permanent = true;

  constructor(readonly tenantId: string) {
    super(`Tenant ${tenantId} has no ServiceTitan credentials`);
    this.name = 'ServiceTitanNotConfiguredError';
  }
}
