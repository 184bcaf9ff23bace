import type { Request } from 'express';
import type { Config } from '@fieldhand/config';
import type { TenantRow } from '@fieldhand/db';
import { isValidTwilioSignature, publicUrl, smsSettings, twilioCredentials } from '@fieldhand/sms';

/** Twilio signs the URL it called: behind a proxy that is the public one, never what Express sees. */
function publicRequestUrl(config: Config, req: Request): string {
  return publicUrl(smsSettings(config), req.originalUrl);
}

/**
 * The auth token Twilio signed with: the tenant's own (resolved from what we issued:
 * its number, or the tenant in the callback URL), else the deployment's. Nothing in
 * the request body chooses the key.
 */
export function signingToken(config: Config, tenant: TenantRow | undefined): string | undefined {
  if (tenant) return twilioCredentials(tenant, smsSettings(config))?.authToken;
  return config.vendors.TWILIO_AUTH_TOKEN;
}

export function signatureValid(req: Request, config: Config, token: string | undefined, params: Record<string, string>): boolean {
  return token !== undefined && isValidTwilioSignature(token, req.get('x-twilio-signature'), publicRequestUrl(config, req), params);
}
