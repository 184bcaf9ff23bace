import { updateTenant } from '@fieldhand/db';
import { runWorkers, type RunningWorkers } from '@fieldhand/queues';
import { startSmsHarness, until, type SmsHarness } from '../../../apps/api/test/support/sms-harness.js';
import { createGhlHttp, GhlClient, GhlNotConfiguredError, pushConsent, pushEstimate, pushEstimates, pushReply, type GhlLocation, type GhlPushDeps } from '../src/index.js';
import { createLocation, logger } from './harness.js';

export { until };

export type PushHarness = {
  h: SmsHarness;
  location: GhlLocation;
  ghl: GhlClient;
  push: GhlPushDeps;
  /** Every request the push worker sent to GHL, as `METHOD path`. */
  requests: string[];
  stop: () => Promise<void>;
};

/**
 * The API with its Twilio webhook, an sms worker, and a ghl-push worker as the sync role
 * runs it, all against one sandbox; the tenant has a GHL location there.
 */
export async function startPushHarness(): Promise<PushHarness> {
  const h = await startSmsHarness();
  const location = await createLocation(h.sandbox, { contacts: 3 }, 11);
  await updateTenant(h.api.db, h.tenantId, { ghl: { locationId: location.locationId, token: location.token } });
  const http = createGhlHttp(10_000);
  const requests: string[] = [];
  http.interceptors.request.use((request) => {
    requests.push(`${String(request.method).toUpperCase()} ${new URL(String(request.url)).pathname.replace(/^\/ghl/, '')}`);
    return request;
  });
  const apiUrl = h.sandbox.env.GHL_API_URL!;
  const retry = { baseDelayMs: 20, maxDelayMs: 200 };
  const push: GhlPushDeps = {
    db: h.api.db,
    bus: h.api.bus,
    logger,
    clients: async (tenantId) => {
      if (tenantId !== h.tenantId) throw new GhlNotConfiguredError(tenantId);
      return new GhlClient(location, { apiUrl, http, retry });
    },
  };
  const sms = h.startWorker();
  const ghlPush: RunningWorkers = runWorkers({
    role: 'ghl-push-test',
    queues: ['ghl-push'],
    handlers: {
      'ghl.push-consent': (data) => pushConsent(push, data),
      'ghl.push-reply': (data) => pushReply(push, data),
      'ghl.push-estimate': (data) => pushEstimate(push, data),
      'ghl.push-estimates': (data) => pushEstimates(push, data),
    },
    bus: h.api.bus,
    db: h.api.db,
    connection: h.api.redis.connect('worker'),
    logger,
    lockDurationMs: 5_000,
  });
  // The test's own view of GHL, outside the request log.
  const ghl = new GhlClient(location, { apiUrl, retry });
  return {
    h,
    location,
    ghl,
    push,
    requests,
    stop: async () => {
      await ghlPush.close(2_000);
      await sms.close(2_000);
      await h.stop();
    },
  };
}

/** A contact in the GHL location with this phone (made in GHL, not yet in our mirror). */
export async function ghlContact(ghl: GhlClient, phone: string, name: { firstName: string; lastName: string }): Promise<string> {
  const { contact } = await ghl.upsertContact({ ...name, phone, email: `${name.firstName.toLowerCase()}.${phone.slice(-4)}@example.com` });
  return contact.id;
}

export const smsDnd = async (ghl: GhlClient, contactId: string): Promise<string | undefined> =>
  ((await ghl.getContact(contactId))['dndSettings'] as { SMS?: { status: string } } | undefined)?.SMS?.status;

export async function textAsCustomer(h: SmsHarness, from: string, to: string, body: string): Promise<void> {
  const response = await fetch(`${h.sandbox.url}/_sandbox/twilio/inbound`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from, to, body }) });
  if (response.status !== 201) throw new Error(`sandbox inbound: ${response.status} ${await response.text()}`);
}
