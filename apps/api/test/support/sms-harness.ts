import { createHmac } from 'node:crypto';
import { createSandbox, type RunningSandbox } from '../../../sandbox/src/index.js';
import { createLogger } from '@fieldhand/observability';
import { runWorkers, type RunningWorkers } from '@fieldhand/queues';
import type { SmsDeps } from '@fieldhand/sms';
import { smsDeps, smsHandlers, smsRole } from '../../../workers/src/sms/role.js';
import { ADMIN_KEY, startTestApi, type TestApi } from './test-api.js';

export const SENDER = '+17372004001';
export const ACCOUNT_SID = `AC${'5'.repeat(32)}`;
export const AUTH_TOKEN = 'sms-test-auth-token-0123456789';
// Noon in Chicago: inside every mainland send window, whatever time the tests run.
export const NOON = new Date('2030-06-03T17:00:00Z');

export type SmsHarness = {
  api: TestApi;
  sandbox: RunningSandbox;
  tenantId: string;
  deps: SmsDeps;
  startWorker: () => RunningWorkers;
  stop: () => Promise<void>;
};

/** Twilio's X-Twilio-Signature: HMAC-SHA1 over the URL and the sorted parameters. */
export function sign(token: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params).sort().reduce((acc, key) => acc + key + params[key], url);
  return createHmac('sha1', token).update(data).digest('base64');
}

export async function until<T>(check: () => Promise<T | undefined | false>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function postJson(url: string, body: unknown, method = 'POST'): Promise<Response> {
  return fetch(url, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

type SandboxMessage = { sid: string; to: string; from: string; body: string; direction: string; status: string };
export async function sandboxMessages(sandbox: RunningSandbox): Promise<SandboxMessage[]> {
  return (await (await fetch(`${sandbox.url}/_sandbox/twilio/messages`)).json()) as SandboxMessage[];
}

/**
 * The API (real PostgreSQL and Redis), the sandbox's Twilio over HTTP, one tenant
 * whose number texts our inbound webhook, and an sms worker on demand.
 */
export async function startSmsHarness(options: { env?: Record<string, string>; clock?: () => Date; twilioStatusStepMs?: number } = {}): Promise<SmsHarness> {
  const sandboxApp = createSandbox({ logLevel: 'silent', twilioStatusStepMs: options.twilioStatusStepMs ?? 20 });
  const sandbox = await sandboxApp.listen(0);
  const api = await startTestApi({ env: { TWILIO_API_URL: `${sandbox.url}/twilio`, SMS_SEGMENTS_PER_SECOND: '0', ...options.env } });
  // Twilio calls the public URL; in the test that is the API's own address (known only once it listens).
  api.config.http.PUBLIC_BASE_URL = api.url;
  const account = await postJson(`${sandbox.url}/_sandbox/accounts`, {
    size: 0,
    twilio: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, numbers: [{ phoneNumber: SENDER, smsUrl: `${api.url}/webhooks/twilio/sms` }] },
  });
  if (account.status !== 201) throw new Error(`sandbox account: ${account.status} ${await account.text()}`);
  const tenant = await api.request('/api/v1/tenants', {
    method: 'POST',
    key: ADMIN_KEY,
    body: { name: 'Acme HVAC', timezone: 'America/Chicago', twilio: { from: SENDER, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN } },
  });
  if (tenant.status !== 201) throw new Error(`tenant: ${tenant.text}`);
  const logger = createLogger({ name: 'sms-test', level: 'silent' });
  const deps = smsDeps({ config: api.config, db: api.db, bus: api.bus, logger }, options.clock ?? (() => NOON));
  const workers: RunningWorkers[] = [];
  return {
    api,
    sandbox,
    tenantId: tenant.body.id,
    deps,
    startWorker: () => {
      const running = runWorkers({
        role: 'sms',
        queues: smsRole.queues,
        handlers: smsHandlers(deps),
        bus: api.bus,
        db: api.db,
        connection: api.redis.connect('worker'),
        logger,
        lockDurationMs: 5_000,
      });
      workers.push(running);
      return running;
    },
    stop: async () => {
      await Promise.all(workers.map((w) => w.close(2_000)));
      await sandbox.close();
      await api.stop();
    },
  };
}
