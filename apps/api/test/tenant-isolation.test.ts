// Tenant isolation, generated from the route table: the OpenAPI document is built
// from it (and openapi.test.ts proves the document covers every registered route).
// For every tenant-scoped operation, tenant B's most powerful key on tenant A's
// resources gets 403 or 404 and changes nothing; on B's own tenant with A's ids it
// finds nothing; admin routes refuse it; every webhook resolves its tenant only from
// what we issued (the number we own, the tenant in the callback URL we set).
import { generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeys, communicationPreferences, messages, tenants, workflowDefinitions } from '@fieldhand/db';
import { ADMIN_KEY, startTestApi, tenantInput, type TestApi } from './support/test-api.js';
import { sign } from './support/sms-harness.js';

let api: TestApi;
type Operation = { method: string; path: string };
let operations: Operation[];
const A: Record<string, string> = {};
const B: Record<string, string> = {};
const A_SENDER = '+15127077001';
const B_SENDER = '+15127077002';
const A_TOKEN = 'tenant-a-twilio-token-0123456789';
const B_TOKEN = 'tenant-b-twilio-token-0123456789';

beforeAll(async () => {
  api = await startTestApi();
  api.config.http.PUBLIC_BASE_URL = api.url;
  const make = async (name: string, from: string, token: string, into: Record<string, string>) => {
    const input = tenantInput(name, from);
    const created = await api.request('/api/v1/tenants', { method: 'POST', key: ADMIN_KEY, body: { ...input, twilio: { ...input.twilio, authToken: token } } });
    into['tenantId'] = created.body.id;
    into['ghlLocation'] = input.ghl.locationId;
    const key = await api.request(`/api/v1/tenants/${created.body.id}/api-keys`, { method: 'POST', key: ADMIN_KEY, body: { name: 'everything', scopes: ['read', 'write', 'keys:manage'] } });
    into['key'] = key.body.key;
    into['keyId'] = key.body.id;
    const message = await api.request(`/api/v1/tenants/${created.body.id}/messages`, { method: 'POST', key: ADMIN_KEY, body: { to: '+15127078001', body: `private to ${name}` } });
    into['id'] = message.body.id;
    into['phone'] = encodeURIComponent('+15127078001');
    await api.request(`/api/v1/tenants/${created.body.id}/consent/${into['phone']}`, { method: 'PUT', key: ADMIN_KEY, body: { optedOut: true, keyword: 'called the office' } });
    into['key:definition'] = 'estimate-follow-up';
    await api.request(`/api/v1/tenants/${created.body.id}/workflows`, { key: ADMIN_KEY });
  };
  await make('Tenant A', A_SENDER, A_TOKEN, A);
  await make('Tenant B', B_SENDER, B_TOKEN, B);
  const doc = (await api.request('/api/v1/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
  operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m)).map((method) => ({ method, path })));
}, 60_000);
afterAll(() => api.stop());

/** Everything tenant A has, to compare before and after B's attempts. */
async function snapshotOfA(): Promise<string> {
  const rows = await Promise.all([
    api.db.select().from(tenants),
    api.db.select().from(apiKeys),
    api.db.select().from(messages),
    api.db.select().from(communicationPreferences),
    api.db.select().from(workflowDefinitions),
  ]);
  return JSON.stringify(rows.map((table) => (table as Array<{ tenantId?: string | null; id?: string }>).filter((r) => (r.tenantId ?? r.id) === A['tenantId'])));
}

function fill(path: string, values: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_m, name: string) => values[name === 'key' ? 'key:definition' : name] ?? 'x');
}

const bodyFor = (method: string) => (method === 'get' || method === 'delete' ? undefined : {});

describe('tenant isolation (every route of the route table)', () => {
  it('finds tenant-scoped, admin and webhook routes in the document', () => {
    expect(operations.filter((o) => o.path.includes('{tenantId}')).length).toBeGreaterThanOrEqual(20);
    expect(operations.some((o) => o.path.startsWith('/webhooks/'))).toBe(true);
  });

  it("B's key on A's resources: 403 or 404 on every tenant-scoped route, and nothing of A changes", async () => {
    const before = await snapshotOfA();
    const answers: string[] = [];
    for (const op of operations.filter((o) => o.path.startsWith('/api/v1/') && o.path.includes('{tenantId}'))) {
      const res = await api.request(fill(op.path, A), { method: op.method.toUpperCase(), key: B['key']!, body: bodyFor(op.method) });
      answers.push(`${op.method} ${op.path} → ${res.status}`);
      expect([403, 404], `${op.method} ${op.path}: ${res.text}`).toContain(res.status);
      expect(res.text).not.toContain('private to Tenant A');
    }
    expect(await snapshotOfA()).toBe(before);
    expect(answers.length).toBeGreaterThanOrEqual(20);
  });

  it("B's key on its own tenant with A's ids finds none of A's resources", async () => {
    const before = await snapshotOfA();
    const ownWithAIds = { ...A, tenantId: B['tenantId']! };
    for (const op of operations.filter((o) => /\{tenantId\}\/[^{]+\{(id|keyId)\}/.test(o.path))) {
      const res = await api.request(fill(op.path, ownWithAIds), { method: op.method.toUpperCase(), key: B['key']!, body: bodyFor(op.method) });
      expect([400, 404], `${op.method} ${op.path}: ${res.text}`).toContain(res.status);
      expect(res.text).not.toContain('private to Tenant A');
    }
    // A's consent record is A's: B reading the same phone sees its own (none).
    const consent = await api.request(`/api/v1/tenants/${B['tenantId']}/consent/${A['phone']}`, { key: B['key']! });
    expect(consent.body).toMatchObject({ optedOut: true }); // B recorded its own opt-out for this phone in beforeAll
    expect(await snapshotOfA()).toBe(before);
  });

  it("a tenant key gets 403 on every admin route (no {tenantId}: the admin's)", async () => {
    for (const op of operations.filter((o) => o.path.startsWith('/api/v1/') && !o.path.includes('{tenantId}') && !['/api/v1/openapi.json', '/api/v1/docs'].includes(o.path))) {
      const res = await api.request(fill(op.path, A), { method: op.method.toUpperCase(), key: B['key']!, body: bodyFor(op.method) });
      expect(res.status, `${op.method} ${op.path}: ${res.text}`).toBe(403);
    }
  });

  it("every webhook refuses B's signature on A's identifiers: the tenant comes from what we issued", async () => {
    const webhooks = operations.filter((o) => o.path.startsWith('/webhooks/'));
    expect(webhooks.length).toBeGreaterThanOrEqual(3);
    const before = await snapshotOfA();
    for (const op of webhooks) {
      const path = fill(op.path, A);
      if (op.path === '/webhooks/ghl') {
        // GHL's webhooks name A's location; only GHL's key signs them (B, or anyone, holds another).
        const raw = JSON.stringify({ type: 'ContactDndUpdate', locationId: A['ghlLocation'], webhookId: 'wh-isolation', timestamp: new Date().toISOString(), phone: '+15127078001', dnd: false });
        const res = await fetch(`${api.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-ghl-signature': cryptoSign(null, Buffer.from(raw), generateKeyPairSync('ed25519').privateKey).toString('base64') },
          body: raw,
        });
        expect(res.status, `${op.method} ${op.path}`).toBe(401);
        continue;
      }
      const params = { MessageSid: `SM${'4'.repeat(32)}`, MessageStatus: 'delivered', AccountSid: `AC${'a'.repeat(32)}`, From: '+15127078001', To: A_SENDER, Body: 'STOP' };
      const res = await fetch(`${api.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': sign(B_TOKEN, `${api.url}${path}`, params) },
        body: new URLSearchParams(params),
      });
      expect(res.status, `${op.method} ${op.path}`).toBe(403);
    }
    expect(await snapshotOfA()).toBe(before);
  });
});
