import type { Request } from 'express';
import type { Config } from '@fieldhand/config';
import { findTenantByTwilioAccount, type Database, type TenantRow } from '@fieldhand/db';
import { isValidTwilioSignature, smsSettings, twilioCredentials } from '@fieldhand/sms';

/** Twilio signs the URL it called: behind a proxy that is the public one, never what Express sees. */
export function publicRequestUrl(config: Config, req: Request): string {
  return `${config.http.PUBLIC_BASE_URL.replace(/\/+$/, '')}${req.originalUrl}`;
}

/** The auth token Twilio signed with: the tenant's (when known), else the account's, else the deployment's. */
export async function signingToken(db: Database, config: Config, params: Record<string, string>, tenant?: TenantRow): Promise<string | undefined> {
  if (tenant) return twilioCredentials(tenant, smsSettings(config))?.authToken;
  const accountSid = params['AccountSid'];
  const owner = accountSid ? await findTenantByTwilioAccount(db, accountSid) : undefined;
  if (owner?.twilio?.authToken) return owner.twilio.authToken;
  return accountSid && accountSid === config.vendors.TWILIO_ACCOUNT_SID ? config.vendors.TWILIO_AUTH_TOKEN : undefined;
}

export function signatureValid(req: Request, config: Config, token: string | undefined, params: Record<string, string>): boolean {
  return token !== undefined && isValidTwilioSignature(token, req.get('x-twilio-signature'), publicRequestUrl(config, req), params);
}
