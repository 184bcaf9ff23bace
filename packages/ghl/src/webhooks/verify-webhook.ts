import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { GHL_ED25519_PUBLIC_KEY, GHL_RSA_PUBLIC_KEY } from './published-keys.js';

/** How old a webhook's `timestamp` may be (either way, for clock skew) before it is refused as a replay. */
export const GHL_WEBHOOK_MAX_AGE_MS = 5 * 60_000;

export type GhlWebhookKeys = {
  ed25519: KeyObject;
  /** Only while legacy `x-wh-signature` deliveries are still accepted. */
  rsa: KeyObject | null;
};

/** The configured keys: GHL's published ones unless others are given (the sandbox has its own). */
export function ghlWebhookKeys(config: { GHL_WEBHOOK_PUBLIC_KEY?: string | undefined; GHL_WEBHOOK_RSA_PUBLIC_KEY?: string | undefined; GHL_WEBHOOK_ACCEPT_LEGACY: boolean }): GhlWebhookKeys {
  return {
    ed25519: createPublicKey(config.GHL_WEBHOOK_PUBLIC_KEY ?? GHL_ED25519_PUBLIC_KEY),
    rsa: config.GHL_WEBHOOK_ACCEPT_LEGACY ? createPublicKey(config.GHL_WEBHOOK_RSA_PUBLIC_KEY ?? GHL_RSA_PUBLIC_KEY) : null,
  };
}

/**
 * Which signature proves the raw body came from GHL: `x-ghl-signature` (Ed25519 over the
 * exact bytes), or the legacy `x-wh-signature` (RSA-SHA256) while it is accepted. The
 * bytes as received are what is signed: GHL's JSON is in no canonical form, so a body
 * parsed and serialised again would not verify.
 */
export function verifyGhlSignature(raw: Buffer, headers: { ghl?: string | undefined; legacy?: string | undefined }, keys: GhlWebhookKeys): 'ed25519' | 'rsa' | null {
  if (headers.ghl && verify(null, raw, keys.ed25519, Buffer.from(headers.ghl, 'base64'))) return 'ed25519';
  if (headers.legacy && keys.rsa && verify('sha256', raw, keys.rsa, Buffer.from(headers.legacy, 'base64'))) return 'rsa';
  return null;
}

/** A GHL webhook body: flat, with these at its top level and the event's own fields beside them. */
export const ghlWebhookSchema = z
  .object({
    type: z.string().min(1).max(100),
    locationId: z.string().min(1).max(100),
    webhookId: z.string().min(1).max(200),
    timestamp: z.iso.datetime({ offset: true }),
  })
  .passthrough();

export type GhlWebhook = z.infer<typeof ghlWebhookSchema>;

export function isFreshWebhook(webhook: Pick<GhlWebhook, 'timestamp'>, now = Date.now()): boolean {
  return Math.abs(now - Date.parse(webhook.timestamp)) <= GHL_WEBHOOK_MAX_AGE_MS;
}
