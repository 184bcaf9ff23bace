import type { Request } from 'express';
import { z } from 'zod';
import { findTenant, findTenantOfMessageSid, type CallbackScope, type TenantRow } from '@fieldhand/db';
import { maskPhone } from '@fieldhand/observability';
import { receiveInbound, receiveStatus, twimlResponse } from '@fieldhand/sms';
import type { AppDeps } from '../app-deps.js';
import { HttpError } from '../errors/http-error.js';
import { defineRoute, type AnyRoute, type RouteInput } from '../http/define-route.js';
import { uuidParam } from '../schemas/common.js';
import { enqueueOrLeave } from './enqueue-or-leave.js';
import { batchedInboundStore, batchedInboxEnqueue } from './inbound-batches.js';
import { signatureValid, signingToken } from './twilio-signature.js';
import { TenantsByNumber } from './tenants-by-number.js';

const forbidden = () => new HttpError(403, 'invalid_signature', 'Missing or invalid X-Twilio-Signature');
// Twilio may add parameters without notice: every one is kept (the signature covers them all),
// within bounds no genuine webhook comes near (a Body is at most 1,600 characters).
const twilioValue = z.string().max(4_096);
const twilioForm = z
  .record(z.string().min(1).max(64), z.union([twilioValue, z.array(twilioValue).max(20)]))
  .refine((form) => Object.keys(form).length <= 100, { message: 'at most 100 parameters' })
  .meta({ description: 'Twilio form parameters' });
const twiml = { description: 'TwiML', schema: z.string(), contentType: 'text/xml' };

function stringParams(body: Record<string, string | string[]> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(body ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/** `POST /webhooks/twilio/sms` and `/webhooks/twilio/status`: signature-verified, form-encoded, no API key. */
export function twilioWebhookRoutes(deps: AppDeps): AnyRoute[] {
  const { db, bus, config, logger } = deps;
  const tenants = new TenantsByNumber(db, config.http.WEBHOOK_TENANT_CACHE_SECONDS);
  const storeText = batchedInboundStore(db);
  const enqueue = batchedInboxEnqueue(bus);

  const enqueueStored = enqueueOrLeave(enqueue, logger);

  /** The tenant the text was sent to, once the signature is proven; 403 otherwise. */
  async function verifiedRecipient(req: Request, params: Record<string, string>): Promise<TenantRow | undefined> {
    const to = params['To'];
    const find = (fresh: boolean) => (to ? tenants.find(to, params['MessagingServiceSid'], fresh) : Promise.resolve(undefined));
    const cached = await find(false);
    if (signatureValid(req, config, signingToken(config, cached), params)) return cached;
    // A remembered tenant may hold an auth token rotated a moment ago: read it again before refusing.
    const current = cached ? await find(true) : undefined;
    if (current && signatureValid(req, config, signingToken(config, current), params)) return current;
    throw forbidden();
  }

  /** A status for a SID not yet stored comes back as an inbox row, for the sms worker to retry. */
  async function applyStatus(params: Record<string, string>, scope: CallbackScope, correlationId: string): Promise<void> {
    const row = await receiveStatus(db, scope, params, correlationId, bus);
    if (row) await enqueueStored(row);
  }

  const statusRoute = {
    operationId: 'twilioStatusCallback',
    summary: 'Twilio delivery status callback',
    tag: 'webhooks',
    access: 'public' as const,
    body: twilioForm,
    bodyContentType: 'application/x-www-form-urlencoded',
    responses: { 200: twiml },
    errors: [403],
  };

  return [
    defineRoute({
      method: 'post',
      path: '/twilio/sms',
      operationId: 'twilioInboundSms',
      summary: 'Twilio inbound text webhook',
      description:
        'Verified by X-Twilio-Signature against PUBLIC_BASE_URL. Stores the text (unique on MessageSid) and records STOP/START in the same transaction before answering; ' +
        'answers TwiML with the one allowed confirmation or the HELP text.',
      tag: 'webhooks',
      access: 'public',
      body: twilioForm,
      bodyContentType: 'application/x-www-form-urlencoded',
      responses: { 200: twiml },
      errors: [403],
      handler: async ({ body, req, res }) => {
        const params = stringParams(body);
        const tenant = await verifiedRecipient(req, params);
        if (!tenant || !params['MessageSid'] || !params['From']) {
          logger.warn({ to: maskPhone(params['To'] ?? ''), sid: params['MessageSid'] }, 'inbound text for a number no tenant owns; acknowledged');
          return { status: 200, body: twimlResponse(), contentType: 'text/xml' };
        }
        const result = await receiveInbound(db, tenant, params, res.locals.correlationId, storeText);
        if (result.inbox) await enqueueStored(result.inbox);
        return { status: 200, body: result.twiml, contentType: 'text/xml' };
      },
    }),
    defineRoute({
      ...statusRoute,
      method: 'post',
      path: '/twilio/status/:tenantId',
      description:
        'The StatusCallback URL of every send: it names the tenant, whose credentials verify X-Twilio-Signature and whose messages alone it may change. ' +
        'Deduplicated on (MessageSid, MessageStatus); a late `sent` never overwrites a final state. A status for a SID not yet stored is kept and retried by the sms worker, then acknowledged.',
      params: z.object({ tenantId: uuidParam }),
      handler: async ({ params, body, req, res }) => {
        const form = stringParams(body);
        const tenant = await findTenant(db, params.tenantId);
        if (!tenant || !signatureValid(req, config, signingToken(config, tenant), form)) throw forbidden();
        await applyStatus(form, { tenantId: tenant.id }, res.locals.correlationId);
        return { status: 200, body: twimlResponse(), contentType: 'text/xml' };
      },
    }),
    defineRoute({
      ...statusRoute,
      operationId: 'twilioStatusCallbackLegacy',
      method: 'post',
      path: '/twilio/status',
      description:
        'The StatusCallback URL of texts sent before callbacks named their tenant. The tenant is the one whose message has this MessageSid, and its credentials verify the signature; ' +
        'a SID not yet stored is accepted only when signed with the deployment token, and then applies only to tenants on the deployment account.',
      handler: async ({ body, req, res }: RouteInput<undefined, undefined, typeof twilioForm>) => {
        const form = stringParams(body);
        const owner = form['MessageSid'] ? await findTenantOfMessageSid(db, form['MessageSid']) : undefined;
        if (!signatureValid(req, config, signingToken(config, owner), form)) throw forbidden();
        await applyStatus(form, owner ? { tenantId: owner.id } : { deploymentAccount: true }, res.locals.correlationId);
        return { status: 200, body: twimlResponse(), contentType: 'text/xml' };
      },
    }),
  ];
}
