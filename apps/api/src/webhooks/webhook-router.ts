import express, { Router } from 'express';
import type { AppDeps } from '../app-deps.js';
import type { AnyRoute } from '../http/define-route.js';
import { mountRoutes } from '../http/mount-routes.js';
import { ghlWebhookRoutes } from './ghl-webhooks.js';
import { twilioWebhookRoutes } from './twilio-webhooks.js';

export const WEBHOOK_BASE = '/webhooks';

/** Every vendor webhook route, for mounting and for the OpenAPI document. */
export function webhookRoutes(deps: AppDeps): AnyRoute[] {
  return [...twilioWebhookRoutes(deps), ...ghlWebhookRoutes(deps)];
}

/**
 * Vendor webhooks: verified by the vendor's signature rather than an API key and
 * not rate limited per IP (Twilio bursts from few addresses). They parse their own
 * bodies (Twilio posts form-encoded; GHL's JSON is verified as raw bytes), persist what must not be lost, enqueue and answer 2xx.
 */
export function webhookRouter(deps: AppDeps, routes: AnyRoute[] = webhookRoutes(deps)): Router {
  const router = Router();
  router.use(express.urlencoded({ extended: false, limit: deps.config.http.BODY_LIMIT }));
  // GHL signs the exact bytes it sent: its route reads them unparsed, whatever the content type.
  router.use('/ghl', express.raw({ type: () => true, limit: deps.config.http.BODY_LIMIT }));
  mountRoutes(router, WEBHOOK_BASE, routes);
  return router;
}
