import type { Config } from '@fieldhand/config';
import type { Database, TenantRow } from '@fieldhand/db';
import type { Logger } from '@fieldhand/observability';
import type { FieldhandCatalog, JobBus } from '@fieldhand/queues';
import type { SenderRateLimit } from './sender-rate-limit.js';
import type { TwilioClients, TwilioCredentials } from './twilio-client.js';

export type SmsSettings = {
  /** The URL Twilio calls us on; status callbacks and signature checks use it, not what Express sees. */
  publicBaseUrl: string;
  defaultAccountSid?: string | undefined;
  defaultAuthToken?: string | undefined;
  /** Per sender, unless the tenant sets its own; 0 = no limit. */
  segmentsPerSecond: number;
};

/** The SMS settings of the deployment's configuration (API and sms worker alike). */
export function smsSettings(config: Config): SmsSettings {
  return {
    publicBaseUrl: config.http.PUBLIC_BASE_URL,
    defaultAccountSid: config.vendors.TWILIO_ACCOUNT_SID,
    defaultAuthToken: config.vendors.TWILIO_AUTH_TOKEN,
    segmentsPerSecond: config.vendors.SMS_SEGMENTS_PER_SECOND,
  };
}

export type SmsDeps = {
  db: Database;
  bus: JobBus<FieldhandCatalog>;
  logger: Logger;
  twilio: TwilioClients;
  rateLimit: SenderRateLimit;
  settings: SmsSettings;
  /** Injectable so quiet hours can be tested at 21:30 without waiting for it. */
  clock: () => Date;
};

/** The tenant's own Twilio credentials, else the deployment's. */
export function twilioCredentials(tenant: TenantRow, settings: SmsSettings): TwilioCredentials | undefined {
  const accountSid = tenant.twilio?.accountSid ?? settings.defaultAccountSid;
  const authToken = tenant.twilio?.authToken ?? (tenant.twilio?.accountSid ? undefined : settings.defaultAuthToken);
  return accountSid && authToken ? { accountSid, authToken } : undefined;
}

export const STATUS_CALLBACK_PATH = '/webhooks/twilio/status';

/**
 * Where Twilio reports a tenant's delivery statuses: the path names the tenant, so the
 * callback is verified with that tenant's credentials and applied to its messages only.
 */
export function statusCallbackPath(tenantId: string): string {
  return `${STATUS_CALLBACK_PATH}/${tenantId}`;
}
export const INBOUND_PATH = '/webhooks/twilio/sms';

export function publicUrl(settings: SmsSettings, path: string): string {
  return `${settings.publicBaseUrl.replace(/\/+$/, '')}${path}`;
}
