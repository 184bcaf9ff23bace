import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, expectErrorBody, startTestApi, type TestApi } from './support/test-api.js';

let api: TestApi;
const admin = { key: ADMIN_KEY };

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.stop());

describe('error bodies: 4xx with the standard body, never 5xx', () => {
  it('malformed JSON → 400', async () => {
    const res = await api.request('/api/v1/tenants', { method: 'POST', ...admin, headers: { 'content-type': 'application/json' }, rawBody: '{"name": "x",' });
    expectErrorBody(res, 400, 'malformed_json');
  });

  it('a 2 MB body → 413', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024), timezone: 'UTC' });
    const res = await api.request('/api/v1/tenants', { method: 'POST', ...admin, headers: { 'content-type': 'application/json' }, rawBody: big });
    expectErrorBody(res, 413, 'payload_too_large');
  });

  it('a 2 MB body sent chunked (no Content-Length) → 413', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 2 * 1024 * 1024) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const res = await fetch(`${api.url}/api/v1/tenants`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': ADMIN_KEY },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    const text = await res.text();
    expectErrorBody({ status: res.status, headers: res.headers, body: JSON.parse(text), text }, 413);
  });

  it('an unknown route → 404, inside and outside /api/v1', async () => {
    expectErrorBody(await api.request('/api/v1/nope', admin), 404, 'route_not_found');
    expectErrorBody(await api.request('/nope'), 404, 'route_not_found');
    expectErrorBody(await api.request('/api/v1/tenants', { method: 'PUT', ...admin, body: {} }), 404);
  });

  it('a wrong content type on a body → 415', async () => {
    const res = await api.request('/api/v1/tenants', { method: 'POST', ...admin, headers: { 'content-type': 'text/plain' }, rawBody: 'name=x' });
    expectErrorBody(res, 415, 'unsupported_media_type');
    const form = await api.request('/api/v1/tenants', { method: 'POST', ...admin, headers: { 'content-type': 'application/x-www-form-urlencoded' }, rawBody: 'name=x&timezone=UTC' });
    expectErrorBody(form, 415);
  });

  it('a missing body where one is required → 400', async () => {
    expectErrorBody(await api.request('/api/v1/tenants', { method: 'POST', ...admin }), 400, 'validation_failed');
  });

  it('JSON that is not an object → 400', async () => {
    expectErrorBody(await api.request('/api/v1/tenants', { method: 'POST', ...admin, body: ['a'] }), 400);
    expectErrorBody(await api.request('/api/v1/tenants', { method: 'POST', ...admin, body: 'a string' }), 400);
  });

  it('an invalid uuid in the path → 400, never a PostgreSQL error', async () => {
    for (const path of ['/api/v1/tenants/not-a-uuid', '/api/v1/tenants/123', "/api/v1/tenants/'%3B%20drop", '/api/v1/dead-letters/zzz']) {
      const error = expectErrorBody(await api.request(path, admin), 400, 'validation_failed');
      expect(error.details).toEqual([expect.objectContaining({ path: expect.stringMatching(/tenantId|id/) })]);
    }
    expectErrorBody(await api.request('/api/v1/tenants/nope/api-keys/also-nope', { method: 'DELETE', ...admin }), 400);
  });

  it('an unsupported charset → 415', async () => {
    const res = await api.request('/api/v1/tenants', { method: 'POST', ...admin, headers: { 'content-type': 'application/json; charset=koi8-r' }, rawBody: '{}' });
    expectErrorBody(res, 415);
  });
});
