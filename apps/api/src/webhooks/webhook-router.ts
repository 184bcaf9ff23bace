import express, { Router } from 'express';
import type { AppDeps } from '../app-deps.js';
import type { AnyRoute } from '../http/define-route.js';
import { mountRoutes } from '../http/mount-routes.js';
import { twilioWebhookRoutes } from './twilio-webhooks.js';

export const WEBHOOK_BASE = '/webhooks';

/** Every vendor webhook route (`/webhooks/ghl` joins later), for mounting and for the OpenAPI document. */
export function webhookRoutes(deps: AppDeps): AnyRoute[] {
  return [...twilioWebhookRoutes(deps)];
}

/**
 * Vendor webhooks: verified by the vendor's signature rather than an API key and
 * not rate limited per IP (Twilio bursts from few addresses). They parse their own
 * bodies (Twilio posts form-encoded), persist what must not be lost, enqueue and answer 2xx.
 */
export function webhookRouter(deps: AppDeps, routes: AnyRoute[] = webhookRoutes(deps)): Router {
  const router = Router();
  router.use(express.urlencoded({ extended: false, limit: deps.config.http.BODY_LIMIT }));
  mountRoutes(router, WEBHOOK_BASE, routes);
  return router;
}
