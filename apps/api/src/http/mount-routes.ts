import type { Router } from 'express';
import type { z } from 'zod';
import { currentCorrelation, withCorrelation } from '@fieldhand/observability';
import { ForbiddenError, UnauthorizedError, ValidationError } from '../errors/http-error.js';
import type { AnyRoute, Reply } from './define-route.js';
import type { Principal } from './principal.js';

/** Zod issues as error details: where and what, never the offending input (it may be a secret). */
function issueDetails(error: z.ZodError): Array<{ path: string; message: string; code: string }> {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message, code: i.code }));
}

function parse<S extends z.ZodType | undefined>(schema: S, value: unknown, what: string): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(`Invalid ${what}`, issueDetails(result.error));
  return result.data;
}

function authorize(route: AnyRoute, principal: Principal | undefined, tenantId: string | undefined): void {
  if (route.access === 'public') return;
  if (!principal) throw new UnauthorizedError();
  if (principal.kind === 'admin') return;
  if (route.access === 'admin') throw new ForbiddenError('This route needs an admin key');
  if (tenantId === undefined || principal.tenantId !== tenantId) throw new ForbiddenError('This API key belongs to another tenant');
  const needed = route.scope ?? (route.method === 'get' ? 'read' : 'write');
  if (!principal.scopes.includes(needed)) throw new ForbiddenError(`This API key lacks the ${needed} scope`);
}

/** Mounts each route on `router`, validating params, query and body with the route's schemas. */
export function mountRoutes(router: Router, basePath: string, routes: readonly AnyRoute[]): void {
  for (const route of routes) {
    router[route.method](route.path, async (req, res) => {
      res.locals.route = `${basePath}${route.path}`;
      const principal = res.locals.principal;
      if (route.access !== 'public' && !principal) throw new UnauthorizedError();
      const params = parse(route.params, req.params, 'path parameters') as { tenantId?: string } | undefined;
      authorize(route, principal, params?.tenantId);
      const query = parse(route.query, req.query, 'query parameters');
      const body = parse(route.body, req.body, 'request body');
      const tenantId = params?.tenantId ?? (principal?.kind === 'tenant' ? principal.tenantId : undefined);
      const context = { ...(currentCorrelation() ?? { correlationId: res.locals.correlationId }), ...(tenantId ? { tenantId } : {}) };
      const reply = await withCorrelation(context, () => route.handler({ params, query, body, principal, req, res }));
      send(route, reply, res);
    });
  }
}

function send(route: AnyRoute, reply: Reply, res: Parameters<Parameters<Router['get']>[1]>[1]): void {
  // The request timeout may already have answered; a late reply is dropped.
  if (res.headersSent) return;
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  res.status(reply.status);
  if (reply.body === undefined) {
    res.end();
    return;
  }
  const declared = route.responses[reply.status];
  // Parsing through the response schema strips any field it does not declare, so a
  // secret added to a repository row can never reach a client by accident.
  const body = declared?.schema ? declared.schema.parse(reply.body) : reply.body;
  if (reply.contentType) res.type(reply.contentType).send(body);
  else res.json(body);
}
