import express, { Router } from 'express';
import { z } from 'zod';
import type { AccountRegistry } from '../accounts/account-registry.js';
import { deliverInbound, UnknownNumberError } from './deliver-inbound.js';
import type { MessageLedger } from './message-ledger.js';
import { messageResource } from './message-resource.js';
import { loopbackUrl } from '../util/loopback-url.js';

const e164 = z.string().regex(/^\+\d{8,15}$/, 'E.164 number expected');
const inboundSchema = z.object({ from: e164, to: e164, body: z.string().min(1).max(1_600) });
const numberSchema = z.object({ accountSid: z.string(), phoneNumber: e164, smsUrl: loopbackUrl.nullable() });
const outcomeSchema = z.object({
  phoneNumber: e164,
  status: z.enum(['undelivered', 'failed', 'delivered']),
  errorCode: z.number().int().default(30003),
});

/** /_sandbox/twilio/...: text as a customer, wire numbers to webhooks, script delivery outcomes. */
export function twilioControlRoutes(accounts: AccountRegistry, ledger: MessageLedger): Router {
  const router = Router();
  router.use(express.json());

  router.post('/inbound', async (req, res) => {
    const parsed = inboundSchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: 'invalid body', issues: parsed.error.issues });
      return;
    }
    try {
      const message = await deliverInbound(accounts, ledger, parsed.data);
      res.status(201).json({ ...messageResource(message), webhook: message.webhook ?? null });
    } catch (error) {
      if (!(error instanceof UnknownNumberError)) throw error;
      res.status(404).json({ error: error.message });
    }
  });

  router.post('/numbers', (req, res) => {
    const parsed = numberSchema.safeParse(req.body);
    const account = parsed.success ? accounts.twilioAccount(parsed.data.accountSid) : undefined;
    if (!parsed.success || !account) {
      res.status(parsed.success ? 404 : 400).json({ error: parsed.success ? 'unknown accountSid' : 'invalid body' });
      return;
    }
    const owner = accounts.twilioOwnerOf(parsed.data.phoneNumber);
    if (owner && owner !== account) {
      res.status(409).json({ error: `${parsed.data.phoneNumber} belongs to another account` });
      return;
    }
    const number = { phoneNumber: parsed.data.phoneNumber, smsUrl: parsed.data.smsUrl };
    account.numbers.set(number.phoneNumber, number);
    res.json(number);
  });

  router.post('/outcomes', (req, res) => {
    const parsed = outcomeSchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: 'invalid body', issues: parsed.error.issues });
      return;
    }
    const { phoneNumber, status, errorCode } = parsed.data;
    if (status === 'delivered') ledger.outcomes.delete(phoneNumber);
    else ledger.outcomes.set(phoneNumber, { status, errorCode });
    res.json(parsed.data);
  });

  router.get('/messages', (_req, res) => {
    res.json(ledger.all().map((message) => ({ ...messageResource(message), callbacks: message.callbacks, webhook: message.webhook ?? null })));
  });
  return router;
}
