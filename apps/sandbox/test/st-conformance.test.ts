import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ST_RESOURCES, ST_ROUTES, type StResource } from '../src/servicetitan/st-resources.js';
import { describeErrors, loadSpec, type SpecValidator } from './support/openapi-validator.js';
import { createAccounts, postJson, startSandbox, stGet, stToken, type Fixture, type TestAccounts } from './support/sandbox-fixture.js';

const SPEC_FILES: Record<string, string> = {
  crm: 'servicetitan/crm-v2.json',
  jpm: 'servicetitan/jpm-v2.json',
  sales: 'servicetitan/salestech-v2.json',
  accounting: 'servicetitan/accounting-v2.json',
  settings: 'servicetitan/settings-v2.json',
  equipmentsystems: 'servicetitan/equipment-systems-v2.json',
  dispatch: 'servicetitan/dispatch-v2.json',
};

const specs = new Map<string, SpecValidator>();
function specFor(module: string): SpecValidator {
  const file = SPEC_FILES[module];
  if (!file) throw new Error(`no spec for module ${module}`);
  let spec = specs.get(file);
  if (!spec) {
    spec = loadSpec(file);
    specs.set(file, spec);
  }
  return spec;
}

let fixture: Fixture;
let accounts: TestAccounts;
let token: string;
const tenant = (): number => accounts.servicetitan.tenantId;

beforeAll(async () => {
  fixture = await startSandbox();
  accounts = await createAccounts(fixture.url, { seed: 7, size: 150 });
  token = await stToken(fixture.url, accounts);
  // Changed and created records must conform too, not only generated ones.
  const control = `${fixture.url}/_sandbox/servicetitan/${tenant()}`;
  const base = ST_ROUTES;
  expect((await postJson(`${control}/estimates`, { jobId: base.jobs.idBase + 3, items: [{ description: 'New condenser', unitRate: 4200.5 }] })).status).toBe(200);
  expect((await postJson(`${control}/jobs/${base.jobs.idBase + 5}/complete`, {})).status).toBe(200);
  expect((await postJson(`${control}/appointments/${base.appointments.idBase + 6}/cancel`, {})).status).toBe(200);
  expect((await postJson(`${control}/customer-contacts/${base.customerContacts.idBase + 2}`, { value: '+15125550123', doNotText: true })).status).toBe(200);
});

afterAll(async () => {
  await fixture.running.close();
});

describe('ServiceTitan responses validate against the vendor OpenAPI specs', () => {
  it.each(ST_RESOURCES)('export/%s', async (resource: StResource) => {
    const { module, path } = ST_ROUTES[resource];
    const response = await stGet(fixture.url, accounts, token, `${module}/v2/tenant/${tenant()}/export/${path}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: unknown[] };
    expect(body.data.length).toBeGreaterThan(0);
    const validate = specFor(module).response(`/tenant/{tenant}/export/${path}`, 'get', '200');
    expect(validate(body), describeErrors(validate)).toBe(true);
  });

  it.each(ST_RESOURCES)('list %s', async (resource: StResource) => {
    const { module, path } = ST_ROUTES[resource];
    const response = await stGet(fixture.url, accounts, token, `${module}/v2/tenant/${tenant()}/${path}?page=1&pageSize=200&includeTotal=true&active=Any`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: unknown[]; totalCount: number };
    expect(body.data.length).toBeGreaterThan(0);
    const validate = specFor(module).response(`/tenant/{tenant}/${path}`, 'get', '200');
    expect(validate(body), describeErrors(validate)).toBe(true);
  });

  it('answers bad list parameters with an RFC 7807 body from the spec', async () => {
    const response = await stGet(fixture.url, accounts, token, `crm/v2/tenant/${tenant()}/customers?pageSize=6000`);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const validate = specFor('crm').response('/tenant/{tenant}/customers', 'get', '400');
    const body: unknown = await response.json();
    expect(validate(body), describeErrors(validate)).toBe(true);
  });
});

describe('ServiceTitan auth', () => {
  it('rejects wrong client credentials like IdentityServer', async () => {
    const response = await fetch(`${fixture.url}/servicetitan/auth/connect/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: accounts.servicetitan.clientId, client_secret: 'wrong' }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'invalid_client' });
  });

  it('issues 900 s tokens', async () => {
    const response = await fetch(`${fixture.url}/servicetitan/auth/connect/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: accounts.servicetitan.clientId, client_secret: accounts.servicetitan.clientSecret }),
    });
    expect(await response.json()).toMatchObject({ expires_in: 900, token_type: 'Bearer' });
  });

  it('needs the app key and a known bearer on every call', async () => {
    const path = `${fixture.url}/servicetitan/api/crm/v2/tenant/${tenant()}/customers`;
    expect((await fetch(path, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(401);
    expect((await fetch(path, { headers: { Authorization: 'Bearer nope', 'ST-App-Key': accounts.servicetitan.appKey } })).status).toBe(401);
    expect((await stGet(fixture.url, accounts, token, `crm/v2/tenant/${tenant() + 1}/customers`)).status).toBe(403);
  });
});
