import { recordFailedJobs, type FieldhandCatalog } from '@fieldhand/queues';
import { reconcileSends } from '@fieldhand/sms';
import type { RoleDefinition } from '../bootstrap/role.js';
import { runProbe } from './probe.js';
import { purgeExpiredDeadLetters } from './purge-dead-letters.js';
import { reconcileInbox, reconcileOutbox } from './reconcile-inbox.js';
import { reconcileWorkflows } from './reconcile-workflows.js';

// Writers flush their outbox right after committing; a row this old was left behind.
const OUTBOX_STALE_AFTER_SECONDS = 30;

export const maintenanceRole: RoleDefinition<FieldhandCatalog> = {
  name: 'maintenance',
  queues: ['maintenance'],
  handlers: (deps) => ({
    // Work recorded in PostgreSQL but missing from Redis (webhook deliveries, outbox rows),
    // and failed jobs in Redis whose dead letter PostgreSQL missed.
    'maintenance.reconcile-inbox': async () => ({
      inbox: await reconcileInbox(deps, deps.config.worker.INBOX_RECONCILE_AFTER_SECONDS),
      outbox: await reconcileOutbox(deps, OUTBOX_STALE_AFTER_SECONDS),
      deadLetters: await recordFailedJobs(deps.db, deps.bus),
    }),
    'maintenance.purge-dead-letters': () => purgeExpiredDeadLetters(deps, deps.config.worker.DEAD_LETTER_RETENTION_DAYS),
    'maintenance.reconcile-workflows': () => reconcileWorkflows(deps),
    'maintenance.reconcile-sends': () => reconcileSends(deps, deps.config.worker.SEND_RECONCILE_AFTER_SECONDS),
    'maintenance.probe': (data, ctx) => runProbe(data, ctx),
  }),
};
