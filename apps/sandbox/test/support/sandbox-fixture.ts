import { createSandbox, type RunningSandbox, type Sandbox } from '../../src/index.js';
import type { SandboxOptions } from '../../src/config.js';
import type { AccountSpec } from '../../src/accounts/account-spec.js';

export interface TestAccounts {
  seed: number;
  size: number;
  servicetitan: { tenantId: number; clientId: string; clientSecret: string; appKey: string };
  ghl: { locationId: string; token: string };
  twilio: { accountSid: string; authToken: string; numbers: Array<{ phoneNumber: string; smsUrl: string | null }> };
}

export interface Fixture {
  sandbox: Sandbox;
  running: RunningSandbox;
  url: string;
}

/** Starts the sandbox in-process on a free port, as a separate HTTP server would be. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Fixture> {
  const sandbox = createSandbox({ logLevel: 'silent', twilioStatusStepMs: 50, ...options });
  const running = await sandbox.listen(0);
  return { sandbox, running, url: running.url };
}

export async function createAccounts(url: string, spec: AccountSpec): Promise<TestAccounts> {
  const response = await fetch(`${url}/_sandbox/accounts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) });
  if (response.status !== 201) throw new Error(`account creation failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as TestAccounts;
}

export async function stToken(url: string, accounts: TestAccounts): Promise<string> {
  const response = await fetch(`${url}/servicetitan/auth/connect/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: accounts.servicetitan.clientId, client_secret: accounts.servicetitan.clientSecret }),
  });
  const body = (await response.json()) as { access_token: string };
  return body.access_token;
}

/** GET on the ServiceTitan API with the headers a real client sends. */
export async function stGet(url: string, accounts: TestAccounts, token: string, path: string): Promise<Response> {
  return fetch(`${url}/servicetitan/api/${path}`, {
    headers: { Authorization: `Bearer ${token}`, 'ST-App-Key': accounts.servicetitan.appKey },
  });
}

export async function postJson(url: string, body: unknown, method = 'POST'): Promise<Response> {
  return fetch(url, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}
