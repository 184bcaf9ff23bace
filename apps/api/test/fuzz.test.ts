// Property-based fuzzing of every API operation in the OpenAPI document (so of the
// route table) and of the Twilio webhooks with valid signatures: thousands of
// generated paths, queries, headers and bodies. Never a 5xx; every 4xx carries the
// standard error body; a 4xx writes nothing.
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startTestApi, tenantInput, type ApiResponse, type TestApi } from './support/test-api.js';
import { sign } from './support/sms-harness.js';

type Schema = { $ref?: string; type?: string | string[]; properties?: Record<string, Schema>; items?: Schema; anyOf?: Schema[]; oneOf?: Schema[]; allOf?: Schema[] };
type Parameter = { name: string; in: string; schema?: Schema };
type OperationDoc = { parameters?: Parameter[]; requestBody?: { content?: Record<string, { schema?: Schema }> } };
type Doc = { paths: Record<string, Record<string, OperationDoc>>; components?: { schemas?: Record<string, Schema> } };

let api: TestApi;
let doc: Doc;
let tenantId: string;
let tenantKey: string;
const SENDER = '+15127099001';
const TOKEN = 'fuzz-tenant-auth-token-0123456789';

beforeAll(async () => {
  api = await startTestApi({ env: { RATE_LIMIT_PER_MINUTE: '1000000', RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: '1000000' } });
  api.config.http.PUBLIC_BASE_URL = api.url;
  const input = tenantInput('Fuzz HVAC', SENDER);
  tenantId = (await api.request('/api/v1/tenants', { method: 'POST', key: ADMIN_KEY, body: { ...input, twilio: { ...input.twilio, authToken: TOKEN } } })).body.id;
  tenantKey = (await api.request(`/api/v1/tenants/${tenantId}/api-keys`, { method: 'POST', key: ADMIN_KEY, body: { name: 'fuzz', scopes: ['read', 'write', 'keys:manage'] } })).body.key;
  doc = (await api.request('/api/v1/openapi.json')).body as Doc;
}, 60_000);
afterAll(() => api.stop());

/** Rows in every table a request could write: a 4xx must leave them all as they were. */
async function footprint(): Promise<string> {
  const { rows } = await api.db.execute(sql`select
    (select count(*) from tenants) t, (select max(updated_at) from tenants) tu, (select count(*) from api_keys) k,
    (select count(*) from api_keys where revoked_at is not null) kr, (select count(*) from messages) m,
    (select count(*) from communication_preferences) c, (select count(*) from webhook_inbox) w,
    (select count(*) from workflow_definitions) d, (select count(*) from workflow_instances) r, (select count(*) from workflow_events) e, (select count(*) from dead_letters) dl`);
  return JSON.stringify(rows[0]);
}

function resolve(schema: Schema | undefined): Schema | undefined {
  if (!schema?.$ref) return schema;
  return doc.components?.schemas?.[schema.$ref.split('/').at(-1)!];
}

const text = fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('', ' ', '0', '-1', '9'.repeat(30), '2026-02-30', '+15125550123', '../../etc', '%00', '{{constructor}}', 'null', 'true', '😀', 'a'.repeat(2_000)));
const anyJson = fc.jsonValue({ maxDepth: 3 });

/** A value for a schema: sometimes the right type, often not. */
function valueFor(schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(schema);
  if (!s || depth > 3) return anyJson;
  const options: Array<fc.Arbitrary<unknown>> = [anyJson, text];
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (types.includes('integer') || types.includes('number')) options.push(fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -1, 1e308, 2 ** 53)));
  if (types.includes('boolean')) options.push(fc.boolean());
  if (types.includes('array')) options.push(fc.array(valueFor(s.items, depth + 1), { maxLength: 4 }));
  if (s.properties) options.push(objectFor(s, depth + 1));
  for (const alt of [...(s.anyOf ?? []), ...(s.oneOf ?? []), ...(s.allOf ?? [])]) options.push(valueFor(alt, depth + 1));
  return fc.oneof(...options);
}

function objectFor(schema: Schema, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const props = Object.entries(schema.properties ?? {});
  const record: Record<string, fc.Arbitrary<unknown>> = Object.fromEntries(props.map(([name, s]) => [name, valueFor(s, depth)]));
  return fc.record(record, { requiredKeys: [] });
}

function pathParam(name: string): fc.Arbitrary<string> {
  const ids = fc.oneof(fc.uuid(), text.filter((v) => v.length > 0));
  if (name === 'tenantId') return fc.oneof(fc.constant(tenantId), ids);
  return ids;
}

type Operation = { method: string; path: string; op: OperationDoc };

function apiOperations(): Operation[] {
  return Object.entries(doc.paths)
    .filter(([path]) => path.startsWith('/api/v1/') && !['/api/v1/openapi.json', '/api/v1/docs'].includes(path))
    .flatMap(([path, ops]) => Object.entries(ops).filter(([m]) => ['get', 'post', 'put', 'patch', 'delete'].includes(m)).map(([method, op]) => ({ method, path, op })));
}

function requestFor(operation: Operation) {
  const names = [...operation.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  const params = fc.record(Object.fromEntries(names.map((n) => [n, pathParam(n)])) as Record<string, fc.Arbitrary<string>>);
  const queryParams = (operation.op.parameters ?? []).filter((p) => p.in === 'query');
  const query = fc.record(Object.fromEntries(queryParams.map((p) => [p.name, fc.oneof(text, fc.integer().map(String))])) as Record<string, fc.Arbitrary<string>>, { requiredKeys: [] });
  const bodySchema = operation.op.requestBody?.content?.['application/json']?.schema;
  const body = fc.option(resolve(bodySchema)?.properties ? fc.oneof(objectFor(resolve(bodySchema)!, 0), anyJson) : anyJson, { nil: undefined });
  // Header values as HTTP can carry them (fetch refuses anything else before sending).
  const headerText = text.filter((v) => /^[\x20-\x7e]*$/.test(v));
  const headers = fc.record(
    {
      'x-correlation-id': headerText,
      'idempotency-key': headerText,
      'content-type': fc.oneof({ arbitrary: fc.constant('application/json'), weight: 8 }, fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1')),
    },
    { requiredKeys: ['content-type'] },
  );
  // Mostly keys that get past authentication, so the generated inputs reach validation and handlers.
  const key = fc.oneof({ arbitrary: fc.constant(ADMIN_KEY), weight: 6 }, { arbitrary: fc.constant(tenantKey), weight: 3 }, fc.constantFrom('fh_notAKey', ''));
  return fc.record({ params, query, body, headers, key });
}

const tally = new Map<number, number>();

function expectSound(res: ApiResponse, label: string, before: string, after: string): void {
  tally.set(res.status, (tally.get(res.status) ?? 0) + 1);
  expect(res.status, `${label} → ${res.status}: ${res.text.slice(0, 300)}`).toBeLessThan(500);
  if (res.status >= 400) {
    const error = (res.body as { error?: { code?: unknown; message?: unknown; correlationId?: unknown } } | undefined)?.error;
    expect(typeof error?.code === 'string' && typeof error.message === 'string' && typeof error.correlationId === 'string', `${label}: not the standard error body: ${res.text.slice(0, 300)}`).toBe(true);
    expect(after, `${label} → ${res.status} wrote something`).toBe(before);
  }
}

describe('fuzzing every route', () => {
  it('API operations: never a 5xx, the standard body on every 4xx, nothing written on a 4xx', async () => {
    const operations = apiOperations();
    expect(operations.length).toBeGreaterThanOrEqual(25);
    let requests = 0;
    for (const operation of operations) {
      await fc.assert(
        fc.asyncProperty(requestFor(operation), async ({ params, query, body, headers, key }) => {
          const path = operation.path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(params[name] ?? 'x'));
          const search = new URLSearchParams(query as Record<string, string>).toString();
          const before = await footprint();
          const init: Parameters<TestApi['request']>[1] = { method: operation.method.toUpperCase(), headers: headers as Record<string, string>, ...(key ? { key } : {}) };
          if (body !== undefined && operation.method !== 'get') init.rawBody = JSON.stringify(body);
          const res = await api.request(`${path}${search ? `?${search}` : ''}`, init);
          requests++;
          expectSound(res, `${operation.method} ${path}`, before, await footprint());
        }),
        { numRuns: 80, seed: 20261202 },
      );
    }
    expect(requests).toBeGreaterThanOrEqual(1_500);
    // Not only refusals: a share of the generated requests gets through validation to the handlers.
    console.log(`fuzzed ${requests} API requests; statuses: ${JSON.stringify(Object.fromEntries(tally))}`);
    expect([...tally].filter(([status]) => status < 300).reduce((n, [, c]) => n + c, 0)).toBeGreaterThan(100);
    tally.clear();
  }, 600_000);

  it('Twilio webhooks with valid signatures: never a 5xx, the standard body on every 4xx, nothing written on a 4xx', async () => {
    const webhooks = Object.keys(doc.paths).filter((p) => p.startsWith('/webhooks/'));
    expect(webhooks.length).toBeGreaterThanOrEqual(3);
    const form = fc.dictionary(fc.oneof(fc.constantFrom('MessageSid', 'From', 'To', 'Body', 'MessageStatus', 'ErrorCode', 'MessagingServiceSid', 'OptOutType', 'NumMedia'), fc.string({ minLength: 1, maxLength: 12 })), text, { maxKeys: 12 });
    let requests = 0;
    for (const template of webhooks) {
      const path = template.replace('{tenantId}', tenantId);
      await fc.assert(
        fc.asyncProperty(form, fc.boolean(), fc.boolean(), async (params, ownNumber, plausibleSid) => {
          const signed: Record<string, string> = { ...params, ...(ownNumber ? { To: SENDER } : {}), ...(plausibleSid ? { MessageSid: `SM${requests.toString(16).padStart(32, '0')}` } : {}) };
          const before = await footprint();
          const res = await fetch(`${api.url}${path}`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': sign(TOKEN, `${api.url}${path}`, signed) },
            body: new URLSearchParams(signed),
          });
          const body = await res.text();
          requests++;
          let parsed: unknown;
          try {
            parsed = JSON.parse(body);
          } catch {
            parsed = undefined;
          }
          expectSound({ status: res.status, headers: res.headers, body: parsed, text: body }, `POST ${path}`, before, await footprint());
        }),
        { numRuns: 300, seed: 20261202 },
      );
    }
    expect(requests).toBeGreaterThanOrEqual(900);
    console.log(`fuzzed ${requests} signed webhooks; statuses: ${JSON.stringify(Object.fromEntries(tally))}`);
  }, 600_000);
});
