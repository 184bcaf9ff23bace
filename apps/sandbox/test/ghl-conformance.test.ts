import { createPublicKey, verify } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeErrors, loadSpec } from './support/openapi-validator.js';
import { createAccounts, postJson, startSandbox, type Fixture, type TestAccounts } from './support/sandbox-fixture.js';

// Known defect in the published spec: pipeline stages are typed as arrays of arrays,
// while GHL returns (and clients need) stage objects with ids. Patched here, visibly.
const opportunities = loadSpec('ghl/opportunities.json', (spec) => {
  const schemas = (spec['components'] as Record<string, Record<string, unknown>>)['schemas'] as Record<string, { properties: Record<string, unknown> }>;
  const pipeline = schemas['PipelinesResponseSchema'];
  if (pipeline) pipeline.properties['stages'] = { type: 'array', items: { type: 'object', required: ['id', 'name'], properties: { id: { type: 'string' }, name: { type: 'string' }, position: { type: 'number' } } } };
});
const contacts = loadSpec('ghl/contacts.json');

let fixture: Fixture;
let accounts: TestAccounts;

function ghl(path: string, init: { method?: string; body?: unknown } = {}): Promise<Response> {
  return fetch(`${fixture.url}/ghl${path}`, {
    method: init.method ?? 'GET',
    headers: { Authorization: `Bearer ${accounts.ghl.token}`, Version: '2021-07-28', 'content-type': 'application/json' },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
}

async function expectValid(response: Response, validate: ReturnType<typeof contacts.response>): Promise<Record<string, unknown>> {
  const body = (await response.json()) as Record<string, unknown>;
  expect(validate(body), describeErrors(validate) + '\n' + JSON.stringify(body).slice(0, 500)).toBe(true);
  return body;
}

beforeAll(async () => {
  fixture = await startSandbox();
  accounts = await createAccounts(fixture.url, { seed: 3, size: 20 });
});

afterAll(async () => {
  await fixture.running.close();
});

describe('GoHighLevel responses validate against the vendor OpenAPI specs', () => {
  let contactId = '';
  let pipelineId = '';
  let stageId = '';
  let opportunityId = '';

  it('POST /contacts/upsert creates, then updates the same contact', async () => {
    const body = { locationId: accounts.ghl.locationId, firstName: 'Ada', lastName: 'Lovelace', phone: '+15125550111', email: 'ada@example.com', tags: ['fieldhand'] };
    const validate = contacts.response('/contacts/upsert', 'post', '200');
    const created = await expectValid(await ghl('/contacts/upsert', { method: 'POST', body }), validate);
    expect(created['new']).toBe(true);
    contactId = (created['contact'] as { id: string }).id;
    const updated = await expectValid(await ghl('/contacts/upsert', { method: 'POST', body: { ...body, tags: ['estimate-sent'] } }), validate);
    expect(updated).toMatchObject({ new: false, contact: { id: contactId, tags: ['estimate-sent'] } });
  });

  it('GET /contacts/{id}', async () => {
    await expectValid(await ghl(`/contacts/${contactId}`), contacts.response('/contacts/{contactId}', 'get', '200'));
  });

  it('POST and GET /contacts/{id}/notes and /tasks (an unknown contact is a 400, a task without dueDate a 422)', async () => {
    const note = await expectValid(await ghl(`/contacts/${contactId}/notes`, { method: 'POST', body: { body: 'Replied to a text: hi' } }), contacts.response('/contacts/{contactId}/notes', 'post', '201'));
    expect(note['note']).toMatchObject({ body: 'Replied to a text: hi', contactId });
    const notes = await expectValid(await ghl(`/contacts/${contactId}/notes`), contacts.response('/contacts/{contactId}/notes', 'get', '200'));
    expect(notes['notes']).toEqual([note['note']]);
    const task = { title: 'Call back Ada', body: 'hi', dueDate: '2031-01-01T10:00:00Z', completed: false, assignedTo: 'user-1' };
    const created = await expectValid(await ghl(`/contacts/${contactId}/tasks`, { method: 'POST', body: task }), contacts.response('/contacts/{contactId}/tasks', 'post', '201'));
    expect(created['task']).toMatchObject({ ...task, dueDate: '2031-01-01T10:00:00.000Z', contactId });
    const tasks = await expectValid(await ghl(`/contacts/${contactId}/tasks`), contacts.response('/contacts/{contactId}/tasks', 'get', '200'));
    expect(tasks['tasks']).toEqual([created['task']]);
    expect((await ghl('/contacts/nosuchcontact/notes', { method: 'POST', body: { body: 'x' } })).status).toBe(400);
    expect((await ghl(`/contacts/${contactId}/tasks`, { method: 'POST', body: { title: 'x', completed: false } })).status).toBe(422);
  });

  it('PUT /contacts/{id} sets DND per channel, leaving the other channels alone', async () => {
    await ghl(`/contacts/${contactId}`, { method: 'PUT', body: { dndSettings: { Email: { status: 'active' } } } });
    const updated = await expectValid(await ghl(`/contacts/${contactId}`, { method: 'PUT', body: { dndSettings: { SMS: { status: 'active', message: 'STOP' } } } }), contacts.response('/contacts/{contactId}', 'put', '200'));
    expect((updated['contact'] as { dndSettings: unknown }).dndSettings).toEqual({ Email: { status: 'active' }, SMS: { status: 'active', message: 'STOP' } });
  });

  it('POST /contacts/search pages with searchAfter (each contact validates as the contact schema)', async () => {
    // The spec gives search no response schema; its contacts are the contact schema.
    const validateContact = contacts.component('GetContectByIdSchema');
    const first = (await (await ghl('/contacts/search', { method: 'POST', body: { locationId: accounts.ghl.locationId, pageLimit: 10 } })).json()) as { contacts: Array<{ id: string; searchAfter: [number, string] }>; total: number };
    expect(first.contacts).toHaveLength(10);
    for (const contact of first.contacts) expect(validateContact(contact), describeErrors(validateContact)).toBe(true);
    const last = first.contacts[first.contacts.length - 1];
    const second = (await (await ghl('/contacts/search', { method: 'POST', body: { locationId: accounts.ghl.locationId, pageLimit: 10, searchAfter: last?.searchAfter } })).json()) as { contacts: Array<{ id: string }> };
    const seen = new Set(first.contacts.map((c) => c.id));
    expect(second.contacts.length).toBeGreaterThan(0);
    expect(second.contacts.some((c) => seen.has(c.id))).toBe(false);
    const byPhone = (await (await ghl('/contacts/search', { method: 'POST', body: { locationId: accounts.ghl.locationId, pageLimit: 10, filters: [{ field: 'phone', operator: 'eq', value: '+15125550111' }] } })).json()) as { contacts: Array<{ id: string }> };
    expect(byPhone.contacts.map((c) => c.id)).toEqual([contactId]);
  });

  it('GET /opportunities/pipelines', async () => {
    const body = await expectValid(await ghl(`/opportunities/pipelines?locationId=${accounts.ghl.locationId}`), opportunities.response('/opportunities/pipelines', 'get', '200'));
    const pipeline = (body['pipelines'] as Array<{ id: string; stages: Array<{ id: string }> }>)[0];
    pipelineId = pipeline?.id ?? '';
    stageId = pipeline?.stages[1]?.id ?? '';
    expect(stageId).not.toBe('');
  });

  it('POST /opportunities/', async () => {
    const response = await ghl('/opportunities/', { method: 'POST', body: { pipelineId, pipelineStageId: stageId, locationId: accounts.ghl.locationId, name: 'Estimate 80000003', status: 'open', contactId, monetaryValue: 4547.04 } });
    expect(response.status).toBe(201);
    const body = await expectValid(response, opportunities.response('/opportunities/', 'post', '201'));
    opportunityId = (body['opportunity'] as { id: string }).id;
  });

  it('PUT /opportunities/{id} and /status', async () => {
    await expectValid(await ghl(`/opportunities/${opportunityId}`, { method: 'PUT', body: { monetaryValue: 5000 } }), opportunities.response('/opportunities/{id}', 'put', '200'));
    await expectValid(await ghl(`/opportunities/${opportunityId}/status`, { method: 'PUT', body: { status: 'won' } }), opportunities.response('/opportunities/{id}/status', 'put', '200'));
  });

  it('GET /opportunities/search', async () => {
    const body = await expectValid(await ghl(`/opportunities/search?location_id=${accounts.ghl.locationId}&status=won`), opportunities.response('/opportunities/search', 'get', '200'));
    expect((body['opportunities'] as Array<{ id: string; monetaryValue: number }>).map((o) => [o.id, o.monetaryValue])).toEqual([[opportunityId, 5000]]);
  });
});

describe('GoHighLevel access rules', () => {
  it('needs a known bearer and the Version header', async () => {
    expect((await fetch(`${fixture.url}/ghl/contacts/x`, { headers: { Authorization: 'Bearer nope', Version: '2021-07-28' } })).status).toBe(401);
    expect((await fetch(`${fixture.url}/ghl/contacts/x`, { headers: { Authorization: `Bearer ${accounts.ghl.token}` } })).status).toBe(400);
  });

  it('answers 429 past 100 requests in 10 s for one location, with rate-limit headers', async () => {
    const isolated = await createAccounts(fixture.url, { seed: 4, size: 1 });
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 101; i++) {
      last = await fetch(`${fixture.url}/ghl/opportunities/pipelines?locationId=${isolated.ghl.locationId}`, { headers: { Authorization: `Bearer ${isolated.ghl.token}`, Version: '2021-07-28' } });
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 100).every((s) => s === 200)).toBe(true);
    expect(statuses[100]).toBe(429);
    expect(last?.headers.get('x-ratelimit-max')).toBe('100');
    expect(last?.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(last?.headers.get('x-ratelimit-interval-milliseconds')).toBe('10000');
  });
});

describe('GoHighLevel webhooks', () => {
  let server: Server;
  const received: Array<{ raw: string; signature: string | undefined }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
      req.on('end', () => {
        received.push({ raw, signature: req.headers['x-ghl-signature'] as string | undefined });
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('signs the raw body with Ed25519; the published public key verifies it', async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/ghl`;
    const event = { type: 'ContactDndUpdate', locationId: accounts.ghl.locationId, id: 'abc', dnd: true };
    const response = await postJson(`${fixture.url}/_sandbox/ghl/webhooks`, { url, event });
    expect(response.status).toBe(200);
    const publicKey = createPublicKey(await (await fetch(`${fixture.url}/_sandbox/ghl/public-key`)).text());
    const hook = received[0];
    expect(hook?.signature).toBeDefined();
    expect(verify(null, Buffer.from(hook?.raw ?? ''), publicKey, Buffer.from(hook?.signature ?? '', 'base64'))).toBe(true);
    expect(verify(null, Buffer.from((hook?.raw ?? '') + ' '), publicKey, Buffer.from(hook?.signature ?? '', 'base64'))).toBe(false);
    expect(JSON.parse(hook?.raw ?? '{}')).toMatchObject({ ...event, webhookId: expect.any(String), timestamp: expect.any(String) });
  });
});
