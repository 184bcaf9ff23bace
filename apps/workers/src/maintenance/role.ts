import { reconcileInbox, reconcileOutbox, recordFailedJobs } from '@fieldhand/queues';
import { reconcileReminders } from '@fieldhand/reminders';
import { requeueLostSends } from '@fieldhand/sms';
import { reconcileRuns } from '@fieldhand/workflows';
import { defineRole } from '../bootstrap/role.js';
import { runProbe } from './probe.js';
import { purgeExpiredDeadLetters } from './purge-dead-letters.js';
import { retentionSettings, runRetention } from './retention.js';

// Writers flush their outbox right after committing; a row this old was left behind.
const OUTBOX_STALE_AFTER_SECONDS = 30;

/** The reconcilers that put back work Redis lost, the dead-letter purge, retention, and the probe. */
export const maintenanceRole = defineRole({
  name: 'maintenance',
  queues: ['maintenance'],
  handlers: (deps) => ({
    'maintenance.reconcile-inbox': () => reconcileInbox(deps, deps.config.worker.INBOX_RECONCILE_AFTER_SECONDS),
    'maintenance.reconcile-outbox': () => reconcileOutbox(deps, OUTBOX_STALE_AFTER_SECONDS),
    'maintenance.record-failed-jobs': () => recordFailedJobs(deps.db, deps.bus),
    'maintenance.purge-dead-letters': () => purgeExpiredDeadLetters(deps, deps.config.worker.DEAD_LETTER_RETENTION_DAYS),
    'maintenance.retention': () => runRetention(deps, retentionSettings(deps.config.worker)),
    'maintenance.reconcile-workflows': () => reconcileRuns(deps),
    'maintenance.reconcile-reminders': () => reconcileReminders(deps),
    'maintenance.reconcile-sends': () => requeueLostSends(deps, deps.config.worker.SEND_RECONCILE_AFTER_SECONDS),
    'maintenance.probe': (data, ctx) => runProbe(data, ctx),
  }),
});
