import { randomUUID } from 'node:crypto';
import express, { Router } from 'express';
import { z } from 'zod';
import { loopbackUrl } from '../util/loopback-url.js';
import type { GhlWebhookSigner } from './webhook-signer.js';

const webhookSchema = z.object({
  url: loopbackUrl,
  /** The flat event: at least `type` and `locationId`; timestamp and webhookId are filled in. */
  event: z.object({ type: z.string().min(1), locationId: z.string().min(1) }).passthrough(),
});

/** /_sandbox/ghl/...: the public key, and a way to make GHL send a signed webhook. */
export function ghlControlRoutes(signer: GhlWebhookSigner): Router {
  const router = Router();
  router.use(express.json());
  router.get('/public-key', (_req, res) => {
    res.type('application/x-pem-file').send(signer.publicKeyPem);
  });
  router.post('/webhooks', async (req, res) => {
    const parsed = webhookSchema.safeParse(req.body);
    if (!parsed.success) return void res.status(400).json({ error: 'invalid body', issues: parsed.error.issues });
    const event = { timestamp: new Date().toISOString(), webhookId: randomUUID(), ...parsed.data.event };
    const raw = JSON.stringify(event);
    try {
      const response = await fetch(parsed.data.url, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'Content-Type': 'application/json', 'x-ghl-signature': signer.sign(raw) },
        body: raw,
        signal: AbortSignal.timeout(15_000),
      });
      res.json({ delivered: true, httpStatus: response.status, event });
    } catch (error) {
      res.status(502).json({ delivered: false, error: error instanceof Error ? error.message : String(error), event });
    }
  });
  return router;
}
