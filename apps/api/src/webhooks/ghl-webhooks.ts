import { z } from 'zod';
import { findTenantByGhlLocation } from '@fieldhand/db';
import { ghlWebhookKeys, ghlWebhookSchema, isFreshWebhook, receiveGhlWebhook, verifyGhlSignature } from '@fieldhand/ghl';
import { enqueueInbox } from '@fieldhand/queues';
import type { AppDeps } from '../app-deps.js';
import { HttpError, ValidationError } from '../errors/http-error.js';
import { defineRoute, type AnyRoute } from '../http/define-route.js';
import { enqueueOrLeave } from './enqueue-or-leave.js';

const badSignature = () => new HttpError(401, 'invalid_signature', 'Missing or invalid x-ghl-signature');
const accepted = z.object({ received: z.boolean() }).meta({ id: 'GhlWebhookAnswer' });

/** `POST /webhooks/ghl`: GoHighLevel's signed webhooks, verified over the raw bytes. */
export function ghlWebhookRoutes(deps: AppDeps): AnyRoute[] {
  const { db, bus, config, logger } = deps;
  const keys = ghlWebhookKeys(config.vendors);
  const enqueueStored = enqueueOrLeave((row) => enqueueInbox(bus, [row]), logger);
  return [
    defineRoute({
      method: 'post',
      path: '/ghl',
      operationId: 'ghlWebhook',
      summary: 'GoHighLevel webhook',
      description:
        'Verified over the raw request bytes: `x-ghl-signature` (Ed25519, GHL_WEBHOOK_PUBLIC_KEY) or, only while GHL_WEBHOOK_ACCEPT_LEGACY is on, `x-wh-signature` (RSA-SHA256). ' +
        'A `timestamp` more than 5 minutes off is refused as a replay (401); a repeated `webhookId` is answered 200 and applied once. The tenant is the one connected to `locationId`; ' +
        'an unknown location is acknowledged and ignored. The delivery is stored in the inbox before the answer; the sync worker applies it.',
      tag: 'webhooks',
      access: 'public',
      responses: { 200: { description: 'Received (also for a repeat or an unknown location)', schema: accepted } },
      errors: [400, 401],
      handler: async ({ req, res }) => {
        const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const signed = verifyGhlSignature(raw, { ghl: req.get('x-ghl-signature'), legacy: req.get('x-wh-signature') }, keys);
        if (!signed) throw badSignature();
        let body: unknown;
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          throw new ValidationError('The webhook body is not JSON', []);
        }
        const parsed = ghlWebhookSchema.safeParse(body);
        if (!parsed.success) throw new ValidationError('Invalid GHL webhook', parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
        const webhook = parsed.data;
        if (!isFreshWebhook(webhook)) throw new HttpError(401, 'stale_webhook', 'The webhook timestamp is more than 5 minutes off: refused as a replay');
        const tenant = await findTenantByGhlLocation(db, webhook.locationId);
        if (!tenant) {
          logger.warn({ locationId: webhook.locationId, type: webhook.type }, 'GHL webhook for a location no tenant has; acknowledged');
          return { status: 200, body: { received: false } };
        }
        const row = await receiveGhlWebhook(db, tenant.id, webhook, res.locals.correlationId);
        if (row) await enqueueStored(row);
        return { status: 200, body: { received: true } };
      },
    }),
  ];
}
