import { SENDER_CONSTRAINTS } from '@fieldhand/db';
import { HttpError, ServiceUnavailableError } from './http-error.js';

// PostgreSQL SQLSTATEs meaning "the database cannot serve you right now", not "your query is wrong":
// shutting down, out of connections, no such database, bad credentials, or migrations not yet applied
// (undefined table). /readyz names which; requests get a 503 so clients retry.
const PG_UNAVAILABLE = new Set(['57P01', '57P02', '57P03', '53300', '53400', '3D000', '28000', '28P01', '42P01']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'EAI_AGAIN']);
// pg-pool and ioredis report an unreachable server with these messages rather than a code.
const UNAVAILABLE_MESSAGE =
  /timeout exceeded when trying to connect|Connection terminated|Connection is closed|Stream isn't writeable|enableOfflineQueue|Reached the max retries per request limit|connect ETIMEDOUT/i;

type ErrorLike = { name?: unknown; code?: unknown; constraint?: unknown; message?: unknown; cause?: unknown; type?: unknown; status?: unknown; expose?: unknown };

const senderConstraints: ReadonlySet<unknown> = new Set(SENDER_CONSTRAINTS);

/** The error and its causes (drizzle wraps driver errors), outermost first. */
function chain(err: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  let current: unknown = err;
  while (current && typeof current === 'object' && out.length < 5) {
    out.push(current as ErrorLike);
    current = (current as ErrorLike).cause;
  }
  return out;
}

/** True when `err` says PostgreSQL or Redis is unreachable, so the answer is 503, not 500. */
function isDependencyUnavailable(err: unknown): boolean {
  return chain(err).some((e) => {
    const code = typeof e.code === 'string' ? e.code : '';
    if (PG_UNAVAILABLE.has(code) || code.startsWith('08') || NETWORK_CODES.has(code)) return true;
    if (e.name === 'MaxRetriesPerRequestError') return true;
    return typeof e.message === 'string' && UNAVAILABLE_MESSAGE.test(e.message);
  });
}

/** body-parser reports bad bodies with a `type`; map each to the status a client can act on. */
function fromBodyParser(e: ErrorLike): HttpError | undefined {
  switch (e.type) {
    case 'entity.too.large':
      return new HttpError(413, 'payload_too_large', 'The request body is larger than the limit');
    case 'entity.parse.failed':
      return new HttpError(400, 'malformed_json', 'The request body is not valid JSON');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HttpError(415, 'unsupported_media_type', 'The request body encoding or charset is not supported');
    case 'request.aborted':
    case 'request.size.invalid':
      return new HttpError(400, 'bad_request', 'The request body was incomplete');
    default:
      return undefined;
  }
}

/**
 * Converts anything thrown into an HttpError when we know what it means;
 * returns undefined for a bug (the caller answers 500 and logs the stack).
 */
export function toHttpError(err: unknown): HttpError | undefined {
  if (err instanceof HttpError) return err;
  const links = chain(err);
  const outer = links[0];
  if (!outer) return undefined;
  const parsed = fromBodyParser(outer);
  if (parsed) return parsed;
  if (isDependencyUnavailable(err)) {
    return new ServiceUnavailableError('dependency_unavailable', 'A backing service is unavailable; retry shortly');
  }
  for (const e of links) {
    // Defence in depth: path and query schemas should stop these before PostgreSQL sees them.
    // statement_timeout or lock_timeout: we were too slow, the request may be tried again.
    if (e.code === '57014' || e.code === '55P03') return new ServiceUnavailableError('database_timeout', 'The database took too long; retry shortly');
    if (e.code === '22P02') return new HttpError(400, 'invalid_identifier', 'An identifier in the request is malformed');
    // Class 22 is "data exception": a value from the request PostgreSQL cannot take (a date out
    // of range, a string too long, a number overflowing its column). The input is wrong, not us.
    if (typeof e.code === 'string' && e.code.startsWith('22')) return new HttpError(400, 'invalid_input', 'A value in the request is out of range or malformed');
    if (e.code === '23505' && senderConstraints.has(e.constraint)) {
      return new HttpError(409, 'sender_taken', 'This Twilio number or Messaging Service belongs to another tenant; only the admin can move it');
    }
    if (e.code === '23505' && e.constraint === 'tenants_ghl_location_key') {
      return new HttpError(409, 'ghl_location_taken', 'This GoHighLevel location belongs to another tenant; only the admin can move it');
    }
    if (e.code === '23505') return new HttpError(409, 'conflict', 'The resource already exists');
    if (e.code === '23503') return new HttpError(404, 'not_found', 'A referenced resource does not exist');
  }
  // Other http-errors style client errors (e.g. from Express itself) keep their status.
  if (typeof outer.status === 'number' && outer.status >= 400 && outer.status < 500 && outer.expose === true) {
    return new HttpError(outer.status, 'bad_request', typeof outer.message === 'string' ? outer.message : 'Bad request');
  }
  return undefined;
}
