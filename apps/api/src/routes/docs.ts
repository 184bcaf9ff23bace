import { z } from 'zod';
import { defineRoute, type AnyRoute } from '../http/define-route.js';
import type { OpenApiDocument } from '../openapi/build-document.js';
import { renderDocsPage } from '../openapi/docs-page.js';

/** The document is built once, after every route is defined, hence the getter. */
export function docsRoutes(document: () => OpenApiDocument): AnyRoute[] {
  let page: string | undefined;
  return [
    defineRoute({
      method: 'get',
      path: '/openapi.json',
      operationId: 'openApiDocument',
      summary: 'This OpenAPI 3.1 document',
      tag: 'documentation',
      access: 'public',
      responses: { 200: { description: 'The OpenAPI document', schema: z.record(z.string(), z.unknown()) } },
      handler: async () => ({ status: 200, body: document() }),
    }),
    defineRoute({
      method: 'get',
      path: '/docs',
      operationId: 'docsPage',
      summary: 'Human-readable API reference',
      tag: 'documentation',
      access: 'public',
      responses: { 200: { description: 'An HTML page', schema: z.string(), contentType: 'text/html' } },
      handler: async () => {
        page ??= renderDocsPage(document());
        return { status: 200, body: page, contentType: 'text/html; charset=utf-8' };
      },
    }),
  ];
}
