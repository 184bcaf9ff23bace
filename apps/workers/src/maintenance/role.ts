import type { FieldhandCatalog } from '@fieldhand/queues';
import type { RoleDefinition } from '../bootstrap/role.js';
import { runProbe } from './probe.js';
import { purgeExpiredDeadLetters } from './purge-dead-letters.js';
import { reconcileInbox } from './reconcile-inbox.js';
import { reconcileWorkflows } from './reconcile-workflows.js';

export const maintenanceRole: RoleDefinition<FieldhandCatalog> = {
  name: 'maintenance',
  queues: ['maintenance'],
  handlers: (deps) => ({
    'maintenance.reconcile-inbox': () => reconcileInbox(deps, deps.config.worker.INBOX_RECONCILE_AFTER_SECONDS),
    'maintenance.purge-dead-letters': () => purgeExpiredDeadLetters(deps, deps.config.worker.DEAD_LETTER_RETENTION_DAYS),
    'maintenance.reconcile-workflows': () => reconcileWorkflows(deps),
    'maintenance.probe': (data, ctx) => runProbe(data, ctx),
  }),
};
