import { config } from '@fieldhand/config';
import { closeDatabase, createDatabase, migrationStatus } from '@fieldhand/db';
import { answerMetricsRequests, createLogger, exitOnCrash, onStopRequest, startTracing, stopTracing } from '@fieldhand/observability';
import { assertEveryQueueConsumed, catalogSchedules, checkRedisServer, createRedis, jobCatalog, JobBus, runWorkers, workerPoolSize } from '@fieldhand/queues';
import { ROLES } from '../roles.js';
import { startMetricsServer } from './metrics-server.js';
import { publishToPm2 } from './pm2-dashboard.js';
import { watchRedis } from './redis-watchdog.js';
import type { RoleDefinition } from './role.js';
import { restoreMissingSchedules, syncSchedules } from './sync-schedules.js';

// How often the scheduler owner checks that Redis still has its schedulers.
const SCHEDULE_CHECK_MS = 15_000;

/** The one bootstrap every worker role's entry file calls. */
export async function runRole(role: RoleDefinition, roles: readonly RoleDefinition[] = ROLES): Promise<void> {
  const cfg = config();
  const logger = createLogger({ name: `worker-${role.name}`, level: cfg.log.LOG_LEVEL });
  const exit = (code: number) => process.exit(code);
  exitOnCrash(logger, exit);
  // Before the queues and workers exist: they pick tracing up when they are created.
  if (await startTracing({ ...cfg.tracing, serviceName: cfg.tracing.serviceName ?? `fieldhand-${role.name}` })) {
    logger.info({ endpoint: cfg.tracing.endpoint, sampleRatio: cfg.tracing.sampleRatio }, 'tracing on');
  }

  try {
    // A queue no role consumes would collect jobs forever: refuse before touching anything.
    assertEveryQueueConsumed(jobCatalog, roles);
  } catch (err) {
    logger.fatal({ err }, (err as Error).message);
    exit(1);
    return;
  }

  const poolMax = workerPoolSize(role.queues, cfg.database.DATABASE_POOL_MAX);
  const db = createDatabase({
    url: cfg.database.DATABASE_URL,
    max: poolMax,
    applicationName: `fieldhand-${role.name}`,
    encryption: { key: cfg.database.FIELDHAND_ENCRYPTION_KEY, previousKeys: cfg.database.FIELDHAND_ENCRYPTION_PREVIOUS_KEYS },
    timeouts: {
      statementMs: cfg.database.DATABASE_STATEMENT_TIMEOUT_MS,
      lockMs: cfg.database.DATABASE_LOCK_TIMEOUT_MS,
      idleInTransactionMs: cfg.database.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    },
  });
  const migrations = await migrationStatus(db);
  if (migrations.applied < migrations.expected) {
    logger.fatal(migrations, 'database is not migrated; run `npm run migrate`');
    await closeDatabase(db);
    exit(1);
    return;
  }

  const producer = createRedis(cfg.redis.REDIS_URL, 'worker');
  const consumer = createRedis(cfg.redis.REDIS_URL, 'worker');
  // An evicting Redis drops queue keys under memory pressure: a loud warning, a refusal in production.
  await checkRedisServer(producer, { production: cfg.log.NODE_ENV === 'production', logger, refuse: () => exit(1) });
  const bus = new JobBus(jobCatalog, producer, cfg.redis.QUEUE_PREFIX, (err, queue) => logger.debug({ err, queue }, 'queue connection error'));
  const closers: Array<() => Promise<unknown>> = [];
  const deps = { config: cfg, db, bus, logger, onShutdown: (close: () => Promise<unknown>) => void closers.push(close) };
  const running = runWorkers({
    role: role.name,
    queues: role.queues,
    handlers: role.handlers(deps),
    bus,
    db,
    connection: consumer,
    logger,
    lockDurationMs: cfg.worker.JOB_LOCK_DURATION_MS,
  });
  const stopWatching = watchRedis(consumer, running.workers, logger, cfg.worker.REDIS_DOWN_EXIT_MS, exit);
  const stopDashboard = await publishToPm2({ role: role.name, queues: role.queues, workers: running.workers, bus, db, logger });
  // The API's /metrics asks every PM2 instance for its own metrics over PM2's IPC.
  const stopAnswering = answerMetricsRequests();

  const schedules = catalogSchedules(jobCatalog);
  if (cfg.worker.SCHEDULER_OWNER) {
    await syncSchedules(bus, schedules);
    logger.info({ schedules: schedules.map((s) => s.id) }, 'job schedulers upserted');
  }
  const scheduleCheck = cfg.worker.SCHEDULER_OWNER
    ? setInterval(() => {
        restoreMissingSchedules(bus, schedules)
          .then((restored) => restored.length > 0 && logger.warn({ restored }, 'job schedulers were missing from Redis; upserted again'))
          .catch((err: unknown) => logger.warn({ err }, 'could not check the job schedulers'));
      }, SCHEDULE_CHECK_MS)
    : undefined;
  const metricsServer = cfg.worker.METRICS_PORT ? await startMetricsServer(cfg.worker.METRICS_PORT) : undefined;

  const shutdown = async (reason: string) => {
    logger.info({ reason, timeoutMs: cfg.worker.SHUTDOWN_TIMEOUT_MS }, 'shutting down: no new jobs, waiting for active ones');
    stopWatching();
    stopDashboard();
    stopAnswering();
    clearInterval(scheduleCheck);
    try {
      await running.close(cfg.worker.SHUTDOWN_TIMEOUT_MS);
      await Promise.all(closers.map((close) => close().catch(() => undefined)));
      await bus.close();
      await Promise.all([producer.quit(), consumer.quit()].map((p) => p.catch(() => undefined)));
      await closeDatabase(db);
      await stopTracing();
      metricsServer?.close();
      logger.info('stopped cleanly');
      exit(0);
    } catch (err) {
      logger.error({ err }, 'error during shutdown');
      exit(1);
    }
  };
  onStopRequest((reason) => void shutdown(reason));

  logger.info({ role: role.name, queues: role.queues, schedulerOwner: cfg.worker.SCHEDULER_OWNER, databasePool: poolMax }, 'worker role started');
  process.send?.('ready');
}
