import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { ApiKeyScope } from '@fieldhand/db';
import type { Principal } from './principal.js';

/**
 * Who may call a route. `tenant`: an admin key, or a key of the tenant named by
 * the route's `:tenantId`. Everything else about a route is checked by its schemas.
 */
export type Access = 'public' | 'admin' | 'tenant';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Schema = z.ZodType | undefined;
type Out<S extends Schema> = S extends z.ZodType ? z.output<S> : undefined;

export type Reply = { status: number; body?: unknown; headers?: Record<string, string>; contentType?: string };

export type RouteInput<P extends Schema, Q extends Schema, B extends Schema> = {
  params: Out<P>;
  query: Out<Q>;
  body: Out<B>;
  principal: Principal | undefined;
  req: Request;
  res: Response;
};

/**
 * One route: its HTTP shape as zod schemas and its handler. The same object
 * mounts the Express route (validating with the schemas) and becomes the
 * operation in the OpenAPI document, so the two cannot drift apart.
 */
export type RouteDefinition<P extends Schema = Schema, Q extends Schema = Schema, B extends Schema = Schema> = {
  method: Method;
  /** Express pattern relative to the mount point, e.g. `/tenants/:tenantId`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  access: Access;
  /** The scope a tenant key needs: by default `read` for GET and `write` for the rest. */
  scope?: ApiKeyScope;
  params?: P;
  query?: Q;
  body?: B;
  /** Media type of the request body in the OpenAPI document (default application/json; webhooks are form-encoded). */
  bodyContentType?: string;
  /** Success responses; error responses are added from `errors`. */
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string }>;
  /** Error statuses this route can answer besides the ones every route can (documentation). */
  errors?: number[];
  handler: (input: RouteInput<P, Q, B>) => Promise<Reply>;
};

export function defineRoute<P extends Schema = undefined, Q extends Schema = undefined, B extends Schema = undefined>(
  route: RouteDefinition<P, Q, B>,
): RouteDefinition<P, Q, B> {
  return route;
}

// Erases the generics so routes of different shapes fit in one list.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteDefinition<any, any, any>;
