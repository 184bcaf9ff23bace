import express, { Router, type Express } from 'express';
import helmet from 'helmet';
import { basicAdminAuth } from './admin/basic-auth.js';
import { bullBoard } from './admin/bull-board.js';
import type { AppDeps } from './app-deps.js';
import type { AnyRoute } from './http/define-route.js';
import { mountRoutes } from './http/mount-routes.js';
import { authenticate, refuseInvalidKey } from './middleware/authenticate.js';
import { correlation } from './middleware/correlation.js';
import { cors } from './middleware/cors.js';
import { errorHandler, notFound } from './middleware/error-handler.js';
import { observeRequests } from './middleware/observe-requests.js';
import { rateLimiters } from './middleware/rate-limit.js';
import { requestTimeout } from './middleware/request-timeout.js';
import { requireJson } from './middleware/require-json.js';
import { buildOpenApiDocument, type OpenApiDocument, type RouteGroup } from './openapi/build-document.js';
import { apiKeyRoutes } from './routes/api-keys.js';
import { auditRoutes } from './routes/audit.js';
import { consentRoutes } from './routes/consent.js';
import { conversationRoutes } from './routes/conversations.js';
import { deadLetterRoutes } from './routes/dead-letters.js';
import { docsRoutes } from './routes/docs.js';
import { ghlRoutes } from './routes/ghl.js';
import { maintenanceRoutes } from './routes/maintenance.js';
import { messageRoutes } from './routes/messages.js';
import { operationRoutes } from './routes/operations.js';
import { peopleRoutes } from './routes/people.js';
import { reportRoutes } from './routes/reports.js';
import { reminderRoutes } from './routes/reminders.js';
import { syncRoutes } from './routes/sync.js';
import { tenantRoutes } from './routes/tenants.js';
import { webhookEndpointRoutes } from './routes/webhook-endpoints.js';
import { workflowEventRoutes } from './routes/workflow-events.js';
import { workflowRunRoutes } from './routes/workflow-runs.js';
import { workflowRoutes } from './routes/workflows.js';
import { WEBHOOK_BASE, webhookRouter, webhookRoutes } from './webhooks/webhook-router.js';

export type { AppDeps } from './app-deps.js';

export const API_BASE = '/api/v1';
export const BULL_BOARD_PATH = '/admin/queues';

/** Once set, every response asks the client to close its connection, so a shutdown drains quickly. */
export function markDraining(app: Express): void {
  app.locals.draining = true;
}

export function createApp(deps: AppDeps): Express {
  const { config, db, bus, redis, logger } = deps;
  const http = config.http;
  const adminKey = http.FIELDHAND_ADMIN_KEY;
  const app = express();
  app.set('trust proxy', http.TRUST_PROXY);
  app.disable('x-powered-by');
  app.locals.draining = false;

  app.use(correlation);
  app.use(observeRequests(logger));
  app.use((_req, res, next) => {
    if (app.locals.draining === true) res.setHeader('Connection', 'close');
    next();
  });
  app.use(requestTimeout(http.REQUEST_TIMEOUT_MS));

  // Vendor webhooks answer machines, not browsers: no browser security headers or CORS,
  // which would cost a burst of inbound texts a tenth of its throughput for nothing.
  const webhooks = webhookRoutes(deps);
  app.use(WEBHOOK_BASE, webhookRouter(deps, webhooks));

  app.use(helmet());
  if (http.CORS_ORIGINS.length > 0) app.use(cors(http.CORS_ORIGINS));

  const limits = rateLimiters({
    redis,
    prefix: config.redis.QUEUE_PREFIX,
    perKeyPerMinute: http.RATE_LIMIT_PER_MINUTE,
    unauthenticatedPerMinute: http.RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE,
    logger,
  });

  // Probes and metrics: outside /api/v1, never rate limited, no API key.
  const operations = operationRoutes(deps);
  const operationsRouter = Router();
  mountRoutes(operationsRouter, '', operations);
  app.use(operationsRouter);

  app.use(
    BULL_BOARD_PATH,
    (_req, res, next) => {
      res.locals.route = BULL_BOARD_PATH;
      next();
    },
    limits.perIp,
    basicAdminAuth(db, adminKey),
    bullBoard(bus, BULL_BOARD_PATH),
  );

  let document: OpenApiDocument | undefined;
  const apiRoutes: AnyRoute[] = [
    ...tenantRoutes(db, bus, logger),
    ...apiKeyRoutes(db),
    ...deadLetterRoutes(db, bus),
    ...maintenanceRoutes(db, bus),
    ...messageRoutes(db, bus, logger),
    ...consentRoutes(db, bus, logger),
    ...conversationRoutes(db, bus, logger),
    ...syncRoutes(db, bus),
    ...workflowRoutes(db, bus, logger),
    ...workflowRunRoutes(db, bus, logger),
    ...workflowEventRoutes(db),
    ...reminderRoutes(db, bus, logger),
    ...ghlRoutes(db),
    ...peopleRoutes(db),
    ...auditRoutes(db),
    ...reportRoutes(db),
    ...webhookEndpointRoutes(db, bus, { allowPrivate: config.webhooks.WEBHOOK_ALLOW_PRIVATE_URLS, requireHttps: config.log.NODE_ENV === 'production' }),
    ...docsRoutes(() => (document ??= buildOpenApiDocument(groups, http.PUBLIC_BASE_URL))),
  ];
  const groups: RouteGroup[] = [
    { basePath: '', routes: operations },
    { basePath: API_BASE, routes: apiRoutes },
    { basePath: WEBHOOK_BASE, routes: webhooks },
  ];
  // Authenticate before reading a body, so unauthenticated callers cannot make us parse one.
  const api = Router();
  api.use(
    authenticate({ db, adminKey, logger }),
    limits.perIp,
    refuseInvalidKey,
    limits.perKey,
    requireJson,
    express.json({ limit: http.BODY_LIMIT, type: ['application/json', 'application/*+json'] }),
  );
  mountRoutes(api, API_BASE, apiRoutes);
  app.use(API_BASE, api);

  app.use(notFound);
  app.use(errorHandler(logger));
  // Built now so a schema the generator cannot express fails at boot, not on the first docs request.
  document ??= buildOpenApiDocument(groups, http.PUBLIC_BASE_URL);
  return app;
}
