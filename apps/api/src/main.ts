import { config } from '@fieldhand/config';
import { closeDatabase, createDatabase } from '@fieldhand/db';
import { answerMetricsRequests, createLogger, exitOnCrash, onStopRequest, setDeploymentStateReader, setQueueDepthReader, startTracing, stopTracing } from '@fieldhand/observability';
import { checkRedisServer, createRedis, JobBus, jobCatalog } from '@fieldhand/queues';
import { API_BASE, BULL_BOARD_PATH, createApp } from './app.js';
import { startServer } from './server.js';
import { readDeploymentState } from './metrics/deployment-state.js';
import { publishRequestsToPm2 } from './metrics/publish-requests-to-pm2.js';

// Entry point for PM2 (cluster mode, wait_ready): `node apps/api/dist/main.js`.
const cfg = config();
const logger = createLogger({ name: 'api', level: cfg.log.LOG_LEVEL });
// Before the queues and the app exist: they pick tracing up when they are created.
if (await startTracing({ ...cfg.tracing, serviceName: cfg.tracing.serviceName ?? 'fieldhand-api' })) {
  logger.info({ endpoint: cfg.tracing.endpoint, sampleRatio: cfg.tracing.sampleRatio }, 'tracing on');
}

exitOnCrash(logger);

const db = createDatabase({
  url: cfg.database.DATABASE_URL,
  max: cfg.database.DATABASE_POOL_MAX,
  applicationName: 'fieldhand-api',
  encryption: { key: cfg.database.FIELDHAND_ENCRYPTION_KEY, previousKeys: cfg.database.FIELDHAND_ENCRYPTION_PREVIOUS_KEYS },
  timeouts: {
    statementMs: Math.min(cfg.database.DATABASE_STATEMENT_TIMEOUT_MS, cfg.http.REQUEST_TIMEOUT_MS),
    lockMs: cfg.database.DATABASE_LOCK_TIMEOUT_MS,
    idleInTransactionMs: cfg.database.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
  },
});
const redis = createRedis(cfg.redis.REDIS_URL, 'producer');
let redisDown = false;
redis.on('error', (err) => {
  // ioredis retries on its own; log the transition, not every retry.
  if (!redisDown) logger.warn({ err }, 'redis connection error; requests needing Redis answer 503 until it is back');
  redisDown = true;
});
redis.on('ready', () => {
  if (redisDown) logger.info('redis connection restored');
  redisDown = false;
});
// An evicting Redis drops queue keys under memory pressure: a loud warning, a refusal in production.
await checkRedisServer(redis, { production: cfg.log.NODE_ENV === 'production', logger, refuse: () => process.exit(1) });
const bus = new JobBus(jobCatalog, redis, cfg.redis.QUEUE_PREFIX, (err, queue) => logger.debug({ err, queue }, 'queue connection error'));
// A scrape while Redis is down still returns the other metrics.
setQueueDepthReader(() =>
  bus.depths().catch((err: unknown) => {
    logger.warn({ err }, 'could not read queue depths');
    return [];
  }),
);
setDeploymentStateReader(readDeploymentState(db, redis, logger));

const app = createApp({ config: cfg, db, bus, redis, logger });
const running = await startServer(app, { port: cfg.http.PORT, host: cfg.http.HOST, requestTimeoutMs: cfg.http.REQUEST_TIMEOUT_MS });
const stopDashboard = await publishRequestsToPm2(running.server);
// Another API instance's /metrics asks this one for its own metrics over PM2's IPC.
const stopAnswering = answerMetricsRequests();

if (!cfg.http.METRICS_TOKEN && cfg.log.NODE_ENV === 'production') {
  logger.warn('GET /metrics is open to anyone who can reach this port: set METRICS_TOKEN, or keep the port off public networks');
}

const base = cfg.http.PUBLIC_BASE_URL.replace(/\/$/, '');
logger.info(
  {
    listening: running.url,
    api: `${base}${API_BASE}`,
    docs: `${base}${API_BASE}/docs`,
    openapi: `${base}${API_BASE}/openapi.json`,
    queues: `${base}${BULL_BOARD_PATH}`,
    health: `${base}/healthz`,
    ready: `${base}/readyz`,
    metrics: `${base}/metrics`,
    adminKeySource: process.env.FIELDHAND_ADMIN_KEY_FILE
      ? 'FIELDHAND_ADMIN_KEY_FILE'
      : cfg.http.FIELDHAND_ADMIN_KEY
        ? 'FIELDHAND_ADMIN_KEY'
        : 'none (only stored admin keys work)',
  },
  'api listening',
);
// PM2 wait_ready: the instance only counts as online once it can take requests.
process.send?.('ready');

async function shutdown(reason: string): Promise<void> {
  const graceMs = cfg.worker.SHUTDOWN_TIMEOUT_MS;
  logger.info({ reason, graceMs }, 'shutting down: no new connections, finishing in-flight requests');
  try {
    await running.close(graceMs);
    stopDashboard();
    stopAnswering();
    setQueueDepthReader(undefined);
    setDeploymentStateReader(undefined);
    await bus.close();
    await redis.quit().catch(() => redis.disconnect());
    await closeDatabase(db);
    await stopTracing();
    logger.info('shutdown complete');
  } catch (err) {
    logger.error({ err }, 'error during shutdown');
  }
  process.exit(0);
}

onStopRequest((reason) => void shutdown(reason));
