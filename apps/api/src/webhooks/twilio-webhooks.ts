import type { Request } from 'express';
import { z } from 'zod';
import { applyStatusCallback, insertInboxRow, type InboxJob, type TenantRow } from '@fieldhand/db';
import { maskPhone } from '@fieldhand/observability';
import { receiveInbound, twimlResponse } from '@fieldhand/sms';
import type { AppDeps } from '../app-deps.js';
import { HttpError } from '../errors/http-error.js';
import { defineRoute, type AnyRoute } from '../http/define-route.js';
import { batchedInboundStore, batchedInboxEnqueue } from './inbound-batches.js';
import { signatureValid, signingToken } from './twilio-signature.js';
import { TenantsByNumber } from './tenants-by-number.js';

// Twilio's queued/accepted/sending/scheduled all mean "Twilio has it, not yet sent".
const LEDGER_STATUS: Record<string, string> = { queued: 'accepted', accepted: 'accepted', sending: 'accepted', scheduled: 'accepted' };
// How long the inbound webhook waits for Redis before leaving the job to the inbox reconciler.
const ENQUEUE_TIMEOUT_MS = 1_000;
const STATUS_PROVIDER = 'twilio-status';

const forbidden = () => new HttpError(403, 'invalid_signature', 'Missing or invalid X-Twilio-Signature');
// Twilio may add parameters without notice: every one is kept (the signature covers them all).
const twilioForm = z.record(z.string(), z.union([z.string(), z.array(z.string())])).meta({ description: 'Twilio form parameters' });
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

  /** Enqueues a stored webhook's job; if Redis is slow or down, the inbox reconciler enqueues it later. */
  async function enqueueOrLeave(row: InboxJob): Promise<void> {
    await Promise.race([
      enqueue(row),
      new Promise((_resolve, reject) => setTimeout(() => reject(new Error('enqueue timed out')), ENQUEUE_TIMEOUT_MS).unref()),
    ]).catch((err: unknown) => logger.warn({ err, inboxId: row.id, queue: row.queue }, 'could not enqueue a stored webhook; the inbox reconciler will'));
  }

  /** The tenant the text was sent to, once the signature is proven; 403 otherwise. */
  async function verifiedRecipient(req: Request, params: Record<string, string>): Promise<TenantRow | undefined> {
    const to = params['To'];
    const find = (fresh: boolean) => (to ? tenants.find(to, params['MessagingServiceSid'], fresh) : Promise.resolve(undefined));
    const cached = await find(false);
    if (signatureValid(req, config, await signingToken(db, config, params, cached), params)) return cached;
    // A remembered tenant may hold an auth token rotated a moment ago: read it again before refusing.
    const current = cached ? await find(true) : undefined;
    if (current && signatureValid(req, config, await signingToken(db, config, params, current), params)) return current;
    throw forbidden();
  }

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
        if (result.inbox) await enqueueOrLeave(result.inbox);
        return { status: 200, body: result.twiml, contentType: 'text/xml' };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/twilio/status',
      operationId: 'twilioStatusCallback',
      summary: 'Twilio delivery status callback',
      description: 'Verified like the inbound webhook. Deduplicated on (MessageSid, MessageStatus); a late `sent` never overwrites a final state. A status for a SID not yet stored is kept and retried by the sms worker, then acknowledged.',
      tag: 'webhooks',
      access: 'public',
      body: twilioForm,
      bodyContentType: 'application/x-www-form-urlencoded',
      responses: { 200: twiml },
      errors: [403],
      handler: async ({ body, req, res }) => {
        const params = stringParams(body);
        if (!signatureValid(req, config, await signingToken(db, config, params), params)) throw forbidden();
        const sid = params['MessageSid'];
        const twilioStatus = params['MessageStatus'] ?? params['SmsStatus'];
        if (sid && twilioStatus) {
          const code = params['ErrorCode'] ? Number(params['ErrorCode']) : null;
          const status = LEDGER_STATUS[twilioStatus] ?? twilioStatus;
          const errorCode = Number.isFinite(code) ? code : null;
          if ((await applyStatusCallback(db, sid, status, errorCode)) === 'unknown') {
            // Twilio can call back before the send has committed the SID: keep the status, and the sms worker retries it.
            const row = await insertInboxRow(db, {
              provider: STATUS_PROVIDER,
              externalId: `${sid}:${status}`,
              tenantId: null,
              queue: 'sms-status',
              jobName: 'sms.status',
              payload: { tenantId: null, messageSid: sid, status, errorCode },
              correlationId: res.locals.correlationId,
            });
            if (row) await enqueueOrLeave(row);
          }
        }
        return { status: 200, body: twimlResponse(), contentType: 'text/xml' };
      },
    }),
  ];
}
