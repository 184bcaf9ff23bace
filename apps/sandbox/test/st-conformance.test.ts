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

describe('ServiceTitan appointment confirmation (jpm Appointments_Confirm)', () => {
  const control = () => `${fixture.url}/_sandbox/servicetitan/${tenant()}`;
  const confirmation = (id: number, method: 'PUT' | 'DELETE', bearer = token) =>
    fetch(`${fixture.url}/servicetitan/api/jpm/v2/tenant/${tenant()}/appointments/${id}/confirmation`, {
      method,
      headers: { Authorization: `Bearer ${bearer}`, 'ST-App-Key': accounts.servicetitan.appKey },
    });

  it('PUT answers 200 with an empty body, then 409 from the spec; DELETE removes it; each call is recorded', async () => {
    const booked = (await (await postJson(`${control()}/appointments`, { jobId: ST_ROUTES.jobs.idBase + 1, startsAt: '2030-01-07T15:00:00Z' })).json()) as { id: number; start: string; isConfirmed: boolean };
    expect(booked).toMatchObject({ start: '2030-01-07T15:00:00.000Z', isConfirmed: false });
    const first = await confirmation(booked.id, 'PUT');
    expect(first.status).toBe(200);
    expect(await first.text()).toBe('');
    const again = await confirmation(booked.id, 'PUT');
    expect(again.status).toBe(409);
    const validate = specFor('jpm').response('/tenant/{tenant}/appointments/{id}/confirmation', 'put', '409');
    expect(validate(await again.json()), describeErrors(validate)).toBe(true);
    expect((await (await fetch(`${control()}/records/appointments/${booked.id}`)).json()) as { isConfirmed: boolean }).toMatchObject({ isConfirmed: true });
    expect((await confirmation(booked.id, 'DELETE')).status).toBe(200);

    const { calls } = (await (await fetch(`${control()}/appointments/${booked.id}/confirmations`)).json()) as { calls: { method: string; outcome: string }[] };
    expect(calls.map((c) => `${c.method}:${c.outcome}`)).toEqual(['PUT:changed', 'PUT:conflict', 'DELETE:changed']);
  });

  it('an unknown appointment is a 404 from the spec; a bad token a 401', async () => {
    const missing = await confirmation(ST_ROUTES.appointments.idBase + 9_999_999, 'PUT');
    expect(missing.status).toBe(404);
    const validate = specFor('jpm').response('/tenant/{tenant}/appointments/{id}/confirmation', 'put', '404');
    expect(validate(await missing.json()), describeErrors(validate)).toBe(true);
    expect((await confirmation(ST_ROUTES.appointments.idBase + 1, 'PUT', 'nope')).status).toBe(401);
  });

  it('dispatches an appointment and cancels a whole job through the control routes', async () => {
    const book = async (jobId: number) => ((await (await postJson(`${control()}/appointments`, { jobId, startsInMinutes: 90 })).json()) as { id: number }).id;
    const visit = await book(ST_ROUTES.jobs.idBase + 20);
    const dispatched = (await (await postJson(`${control()}/appointments/${visit}/dispatch`, {})).json()) as { status: string };
    expect(dispatched.status).toBe('Dispatched');
    const job = ST_ROUTES.jobs.idBase + 21;
    const booked = await book(job);
    const canceled = await postJson(`${control()}/jobs/${job}/cancel`, {});
    expect(((await canceled.json()) as { jobStatus: string }).jobStatus).toBe('Canceled');
    expect(((await (await fetch(`${control()}/records/appointments/${booked}`)).json()) as { status: string }).status).toBe('Canceled');
    expect((await postJson(`${control()}/jobs/${job}/cancel`, {})).status).toBe(409);
    expect((await postJson(`${control()}/appointments`, { jobId: job })).status).toBe(400);
  });
});
