/**
 * The one error type handlers throw. The error middleware turns it into the
 * standard body `{ error: { code, message, details?, correlationId } }`;
 * anything that is not an HttpError is either a recognised dependency failure
 * (see to-http-error.ts) or a bug, answered with a generic 500.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export class ValidationError extends HttpError {
  constructor(message: string, details?: unknown) {
    super(400, 'validation_failed', message, details);
    this.name = 'ValidationError';
  }
}

export class UnauthorizedError extends HttpError {
  constructor(message = 'A valid API key is required (Authorization: Bearer <key> or X-API-Key)', scheme = 'Bearer') {
    super(401, 'unauthorized', message, undefined, { 'WWW-Authenticate': scheme === 'Basic' ? 'Basic realm="fieldhand", charset="UTF-8"' : 'Bearer realm="fieldhand"' });
    this.name = 'UnauthorizedError';
  }
}

export class ForbiddenError extends HttpError {
  constructor(message = 'This API key may not act on this resource') {
    super(403, 'forbidden', message);
    this.name = 'ForbiddenError';
  }
}

export class NotFoundError extends HttpError {
  constructor(code: string, message: string) {
    super(404, code, message);
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends HttpError {
  constructor(code: string, message: string) {
    super(409, code, message);
    this.name = 'ConflictError';
  }
}

export class ServiceUnavailableError extends HttpError {
  constructor(code: string, message: string, retryAfterSeconds = 5) {
    super(503, code, message, undefined, { 'Retry-After': String(retryAfterSeconds) });
    this.name = 'ServiceUnavailableError';
  }
}
