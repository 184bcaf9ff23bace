import type { Request } from 'express';
import type { TenantRow } from '@fieldhand/db';
import { ConflictError, ValidationError } from '../errors/http-error.js';

/** A route that queues a text: the tenant must have a sender (409 otherwise). */
export function requireSender(tenant: TenantRow): void {
  if (!tenant.twilio?.from && !tenant.twilio?.messagingServiceSid) {
    throw new ConflictError('twilio_not_configured', 'This tenant has no Twilio sender; set twilio.from or twilio.messagingServiceSid');
  }
}

/** The idempotency key of a text request: the body's `idempotencyKey` or the Idempotency-Key header (400 when they differ or the header is malformed). */
export function idempotencyKeyOf(req: Request, bodyKey: string | undefined): string | undefined {
  const header = req.get('idempotency-key');
  if (header !== undefined && (header.length === 0 || header.length > 200)) throw new ValidationError('Idempotency-Key must be 1–200 characters');
  if (header && bodyKey && header !== bodyKey) throw new ValidationError('Idempotency-Key header and idempotencyKey differ');
  return bodyKey ?? header;
}
