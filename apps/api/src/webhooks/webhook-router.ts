import { Router } from 'express';
import type { AppDeps } from '../app-deps.js';

/**
 * Vendor webhooks mount here (later issues): `/webhooks/twilio/sms`,
 * `/webhooks/twilio/status`, `/webhooks/ghl`. They are verified by the vendor's
 * signature rather than an API key, parse their own bodies (Twilio posts
 * form-encoded), write a `webhook_inbox` row, enqueue and answer 2xx.
 */
export function webhookRouter(_deps: AppDeps): Router {
  return Router();
}
