export { defineCatalog, NEW_WORK_PRIORITY, tenantScoped, type Catalog, type JobData, type JobDefinition, type JobInput, type JobEnvelope, type JobName } from './catalog.js';
export { deadLetterJob, discardDeadLetter, recordFailedJobs, replayDeadLetter, type ReplayResult } from './dead-letters.js';
export {
  assertEveryQueueConsumed,
  assertHandlersComplete,
  isLastAttempt,
  MissingHandlerError,
  UnconsumedQueueError,
  type HandlerMap,
  type HandlersFor,
  type JobContext,
  type JobHandler,
  type JobsOn,
} from './handlers.js';
export { defaultJobOptions, InvalidJobPayloadError, JobBus, jobStillOwnsWork, KEEP_FAILED, queuePrefix, QueueUnavailableError, type EnqueueOptions } from './job-bus.js';
export { jobCatalog, type FieldhandCatalog } from './jobs/index.js';
export { SMS_EVENT_TYPES } from './jobs/sms.js';
export { SYNC_SOURCE_NAME } from './jobs/sync.js';
export { DOMAIN_EVENT_TYPES, domainEventSchema, workflowStepJobId, type DomainEventType } from './jobs/workflow.js';
export { reminderFireJobId } from './jobs/reminders.js';
export { deliveryJobId, eventEnvelope } from './jobs/events.js';
export { BACKOFF_JITTER, QUEUE_SETTINGS, workerPoolSize, type QueueSettings } from './queue-defaults.js';
export { isQueueName, PARKING_QUEUES, QUEUE_NAMES, type QueueName } from './queue-names.js';
export { enqueueInbox, inboxJob, inboxJobId, recordInbox, reconcileInbox, type InboxDelivery } from './inbox.js';
export { flushOutbox, reconcileOutbox, writeOutbox, type OutboxJob } from './outbox.js';
export { checkRedisServer, findRedisServerProblems, type RedisServerFinding } from './check-redis-server.js';
export { createRedis, isCluster, parseRedisTarget, type RedisConnection, type RedisRole, type RedisTarget } from './redis.js';
export { runWorkers, type RunningWorkers, type WorkerRoleOptions } from './run-workers.js';
export { catalogSchedules, upsertSchedules, type Schedule } from './schedulers.js';
export { UnrecoverableError } from 'bullmq';
