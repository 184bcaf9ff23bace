import { z } from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponsesObject } from 'zod-openapi';
import type { AnyRoute } from '../http/define-route.js';
import { errorBody } from '../schemas/common.js';

export type RouteGroup = { basePath: string; routes: readonly AnyRoute[] };
export type OpenApiDocument = ReturnType<typeof createDocument>;

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid path, query or body (details lists the problems), or malformed JSON',
  401: 'No API key, or an invalid or revoked one',
  403: 'The key may not act on this resource (another tenant, or an admin-only route)',
  404: 'No such resource',
  409: 'The request conflicts with the current state',
  413: 'The body is larger than BODY_LIMIT',
  415: 'The body is not application/json',
  429: 'Rate limited; see Retry-After and the RateLimit headers',
  500: 'A bug; quote the correlationId when reporting it',
  503: 'PostgreSQL or Redis is unavailable, or the request overran REQUEST_TIMEOUT_MS',
};

const correlationHeader = z.object({
  'X-Correlation-ID': z.string().meta({ description: 'The request correlation id (the caller’s, or a generated one)' }),
});

/** Express `:name` → OpenAPI `{name}`. */
function toOpenApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function errorStatuses(route: AnyRoute): number[] {
  const statuses = new Set(route.errors ?? []);
  if (route.access !== 'public') [401, 403, 429].forEach((s) => statuses.add(s));
  if (route.params || route.query || route.body) statuses.add(400);
  if (route.body) [413, 415].forEach((s) => statuses.add(s));
  [500, 503].forEach((s) => statuses.add(s));
  return [...statuses].filter((s) => !(s in route.responses)).sort();
}

function operation(route: AnyRoute): ZodOpenApiOperationObject {
  const responses: ZodOpenApiResponsesObject = {};
  for (const [status, spec] of Object.entries(route.responses)) {
    responses[status as `${1 | 2 | 3 | 4 | 5}${string}`] = {
      description: spec.description,
      headers: correlationHeader,
      ...(spec.schema ? { content: { [spec.contentType ?? 'application/json']: { schema: spec.schema } } } : {}),
    };
  }
  for (const status of errorStatuses(route)) {
    responses[String(status) as `${1 | 2 | 3 | 4 | 5}${string}`] = {
      description: ERROR_DESCRIPTIONS[status] ?? 'Error',
      headers: correlationHeader,
      content: { 'application/json': { schema: errorBody } },
    };
  }
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    tags: [route.tag],
    'x-fieldhand-access': route.access,
    security: route.access === 'public' ? [] : [{ bearerAuth: [] }, { apiKeyHeader: [] }],
    ...(route.params || route.query
      ? { requestParams: { ...(route.params ? { path: route.params } : {}), ...(route.query ? { query: route.query } : {}) } }
      : {}),
    ...(route.body ? { requestBody: { required: true, content: { [route.bodyContentType ?? 'application/json']: { schema: route.body } } } } : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document, generated from the same route definitions Express mounts. */
export function buildOpenApiDocument(groups: readonly RouteGroup[], serverUrl: string): OpenApiDocument {
  const paths: ZodOpenApiPathsObject = {};
  for (const { basePath, routes } of groups) {
    for (const route of routes) {
      const path = toOpenApiPath(`${basePath}${route.path}`);
      paths[path] = { ...paths[path], [route.method]: operation(route) };
    }
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Fieldhand API',
      version: '1',
      description:
        'Multi-tenant automation backend for home-service contractors. Authenticate with `Authorization: Bearer <key>` or `X-API-Key: <key>`. ' +
        'Errors use one body: `{ "error": { "code", "message", "details"?, "correlationId" } }`.',
    },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'An admin key or a tenant API key' },
        apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'The same key, in a header' },
      },
    },
    paths,
  });
}
