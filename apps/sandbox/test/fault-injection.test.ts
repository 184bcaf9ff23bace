import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FaultConfigInput } from '../src/faults/fault-rules.js';
import { createAccounts, postJson, startSandbox, stGet, stToken, type Fixture, type TestAccounts } from './support/sandbox-fixture.js';

let fixture: Fixture;
let accounts: TestAccounts;
let token: string;

const customers = (): string => `crm/v2/tenant/${accounts.servicetitan.tenantId}/customers?pageSize=5`;

async function setFaults(config: FaultConfigInput): Promise<void> {
  const response = await postJson(`${fixture.url}/_sandbox/faults`, config, 'PUT');
  expect(response.status).toBe(200);
}

/** Status codes (and Retry-After) of n identical requests. */
async function run(n: number): Promise<string[]> {
  const outcomes: string[] = [];
  for (let i = 0; i < n; i++) {
    const response = await stGet(fixture.url, accounts, token, customers());
    await response.arrayBuffer();
    outcomes.push(`${response.status}${response.headers.has('retry-after') ? `:${response.headers.get('retry-after')}` : ''}`);
  }
  return outcomes;
}

beforeAll(async () => {
  fixture = await startSandbox();
  accounts = await createAccounts(fixture.url, { seed: 5, size: 20 });
  token = await stToken(fixture.url, accounts);
});

afterEach(async () => {
  await fetch(`${fixture.url}/_sandbox/faults`, { method: 'DELETE' });
});

afterAll(async () => {
  await fixture.running.close();
});

describe('fault injection', () => {
  const rules: FaultConfigInput['rules'] = [
    { id: 'throttle', vendor: 'servicetitan', endpoint: '/servicetitan/api/crm/v2/tenant/*/customers', kind: 'http-error', status: 429, retryAfterSeconds: 2, probability: 0.25 },
    { id: 'outage', vendor: 'servicetitan', kind: 'http-error', status: 503, probability: 0.15 },
  ];

  it('gives the same faults for the same seed and request sequence', async () => {
    await setFaults({ seed: 99, rules });
    const first = await run(60);
    await setFaults({ seed: 99, rules });
    const second = await run(60);
    expect(second).toEqual(first);
    expect(first).toContain('429:2');
    expect(first).toContain('503');
    expect(first).toContain('200');
    await setFaults({ seed: 100, rules });
    expect(await run(60)).not.toEqual(first);
  });

  it('records what it injected', async () => {
    await setFaults({ seed: 1, rules: [{ id: 'always', vendor: 'servicetitan', kind: 'http-error', status: 500 }] });
    expect(await run(2)).toEqual(['500', '500']);
    const state = (await (await fetch(`${fixture.url}/_sandbox/faults`)).json()) as { injected: Array<{ ruleId: string }> };
    expect(state.injected.map((i) => i.ruleId)).toEqual(['always', 'always']);
  });

  it('breaks JSON bodies: truncated and malformed', async () => {
    for (const kind of ['truncate', 'malformed'] as const) {
      await setFaults({ seed: 1, rules: [{ vendor: 'servicetitan', endpoint: '/servicetitan/api/**', kind }] });
      const response = await stGet(fixture.url, accounts, token, customers());
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text.length).toBeGreaterThan(10);
      expect(() => JSON.parse(text) as unknown, kind).toThrow();
    }
  });

  it('adds latency and hangs connections until the client gives up', async () => {
    await setFaults({ seed: 1, rules: [{ vendor: 'servicetitan', endpoint: '/servicetitan/api/**', kind: 'latency', latencyMs: 300 }] });
    const started = Date.now();
    expect((await stGet(fixture.url, accounts, token, customers())).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);

    await setFaults({ seed: 1, rules: [{ vendor: 'ghl', kind: 'hang' }] });
    const hung = fetch(`${fixture.url}/ghl/contacts/x`, { headers: { Authorization: `Bearer ${accounts.ghl.token}`, Version: '2021-07-28' }, signal: AbortSignal.timeout(300) });
    await expect(hung).rejects.toThrow();
  });

  it('expires ServiceTitan tokens early; a fresh token works', async () => {
    await setFaults({ seed: 1, rules: [{ vendor: 'servicetitan', kind: 'token-expiry', probability: 1, endpoint: '/servicetitan/api/**' }] });
    expect((await stGet(fixture.url, accounts, token, customers())).status).toBe(401);
    await fetch(`${fixture.url}/_sandbox/faults`, { method: 'DELETE' });
    expect((await stGet(fixture.url, accounts, token, customers())).status).toBe(401);
    token = await stToken(fixture.url, accounts);
    expect((await stGet(fixture.url, accounts, token, customers())).status).toBe(200);
  });

  it('answers in each vendor error format', async () => {
    await setFaults({ seed: 1, rules: [{ kind: 'http-error', status: 429 }] });
    const st = await stGet(fixture.url, accounts, token, customers());
    expect(await st.json()).toMatchObject({ status: 429, title: expect.any(String), traceId: expect.any(String) });
    const twilio = await fetch(`${fixture.url}/twilio/2010-04-01/Accounts/${accounts.twilio.accountSid}/Messages.json`);
    expect(await twilio.json()).toMatchObject({ code: 20429, status: 429 });
    const ghl = await fetch(`${fixture.url}/ghl/opportunities/pipelines`);
    expect(await ghl.json()).toMatchObject({ statusCode: 429 });
  });
});
