import { z } from 'zod';
import { secretsEqual } from '@fieldhand/db';
import type { AppDeps } from '../app-deps.js';
import { UnauthorizedError } from '../errors/http-error.js';
import { cachedReadiness } from '../http/check-readiness.js';
import { defineRoute, type AnyRoute } from '../http/define-route.js';
import { presentedApiKey } from '../http/resolve-principal.js';
import { deploymentScrape } from '../metrics/scrape-deployment.js';

const checkState = z.enum(['ok', 'down', 'pending', 'unknown']);
const readinessBody = z
  .object({
    status: z.enum(['ok', 'unavailable']),
    checks: z.object({ postgres: checkState, redis: checkState, migrations: checkState }),
  })
  .meta({ id: 'Readiness' });

/** Probes and metrics: unauthenticated (except an optional metrics token) and never rate limited. */
export function operationRoutes(deps: Pick<AppDeps, 'db' | 'redis' | 'config' | 'logger'>): AnyRoute[] {
  const metricsToken = deps.config.http.METRICS_TOKEN;
  const scrape = deploymentScrape({ timeoutMs: deps.config.http.METRICS_SCRAPE_TIMEOUT_MS, logger: deps.logger });
  const readiness = cachedReadiness(deps.db, deps.redis);
  return [
    defineRoute({
      method: 'get',
      path: '/healthz',
      operationId: 'liveness',
      summary: 'Liveness: the process answers',
      description: 'Touches no dependency, so a PostgreSQL or Redis outage never gets the API restarted.',
      tag: 'operations',
      access: 'public',
      responses: { 200: { description: 'Alive', schema: z.object({ status: z.literal('ok') }) } },
      handler: async () => ({ status: 200, body: { status: 'ok' } }),
    }),
    defineRoute({
      method: 'get',
      path: '/readyz',
      operationId: 'readiness',
      summary: 'Readiness: PostgreSQL and Redis reachable, migrations applied',
      tag: 'operations',
      access: 'public',
      responses: {
        200: { description: 'Ready', schema: readinessBody },
        503: { description: 'Not ready; `checks` names the failing part', schema: readinessBody },
      },
      handler: async () => {
        const { ready, checks } = await readiness();
        return { status: ready ? 200 : 503, body: { status: ready ? 'ok' : 'unavailable', checks }, headers: { 'Cache-Control': 'no-store' } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/metrics',
      operationId: 'metrics',
      summary: 'Prometheus metrics of the whole deployment',
      description:
        'Under PM2, every API and worker instance aggregated (counters summed, histograms merged, gauges labelled `pm2_instance`), ' +
        'then the queue, sync and Redis gauges once; an instance that does not answer within METRICS_SCRAPE_TIMEOUT_MS is left out ' +
        'and shows as `fieldhand_scrape_instance_up 0`. ' +
        'Open by default (scrape it on a private network). With METRICS_TOKEN set it needs `Authorization: Bearer <METRICS_TOKEN>`.',
      tag: 'operations',
      access: 'public',
      responses: { 200: { description: 'Prometheus text exposition format', schema: z.string(), contentType: 'text/plain' } },
      errors: [401],
      handler: async ({ req }) => {
        if (metricsToken !== undefined) {
          const presented = presentedApiKey({ authorization: req.get('authorization') });
          if (presented === undefined || !secretsEqual(presented, metricsToken)) throw new UnauthorizedError('A metrics token is required');
        }
        return { status: 200, body: await scrape.metrics(), contentType: scrape.contentType };
      },
    }),
  ];
}
