import {
  blankOldMessageBodies,
  deleteDeliveredWebhookDeliveries,
  deleteOldOfficeAlerts,
  deleteOldStepRuns,
  deleteOldSyncRuns,
  deleteOldWorkflowEvents,
  deleteProcessedInboxRows,
  deleteSettledWebhookEvents,
  listAllTenantIds,
  type Database,
  type MessageCursor,
} from '@fieldhand/db';
import { retentionRows, type Logger } from '@fieldhand/observability';

export type RetentionSettings = {
  messageBodyDays: number;
  inboxDays: number;
  workflowEventsDays: number;
  syncRunsDays: number;
  stepRunsDays: number;
  webhookDeliveriesDays: number;
  batchSize: number;
};

export type TableOutcome = { rows: number; statements: number; longestStatementMs: number };
export type RetentionOutcome = Record<
  'messages' | 'office_alerts' | 'webhook_inbox' | 'workflow_events' | 'sync_runs' | 'workflow_step_runs' | 'webhook_deliveries' | 'webhook_events',
  TableOutcome
>;

const daysAgo = (days: number) => new Date(Date.now() - days * 24 * 3600 * 1000);

/** Runs `batch` until it reports nothing left, timing each statement; each is its own short transaction. */
async function inBatches(logger: Logger, table: keyof RetentionOutcome, batch: () => Promise<{ rows: number; more: boolean }>): Promise<TableOutcome> {
  const outcome: TableOutcome = { rows: 0, statements: 0, longestStatementMs: 0 };
  for (let more = true; more; ) {
    const started = performance.now();
    const result = await batch();
    outcome.longestStatementMs = Math.max(outcome.longestStatementMs, performance.now() - started);
    outcome.statements += 1;
    outcome.rows += result.rows;
    retentionRows.inc({ table }, result.rows);
    more = result.more;
    if (outcome.statements % 50 === 0) logger.info({ table, ...outcome }, 'retention in progress');
  }
  if (outcome.rows > 0) logger.info({ table, ...outcome, longestStatementMs: Math.round(outcome.longestStatementMs) }, 'retention done for table');
  return outcome;
}

/**
 * The daily retention pass: message bodies blanked after their days (who, when, status and
 * SID stay) and office alerts (which quote them) deleted with them; processed inbox rows,
 * evaluated workflow events, sync run history, the completed step runs of finished workflow
 * runs, delivered event deliveries and then the events no delivery refers to any more
 * deleted. Failed deliveries stay (the record of what never arrived). Opt-outs (communication
 * preferences) are never touched. Every statement handles one bounded batch, so no lock
 * is held long and autovacuum keeps up; a pass cut short resumes with the next day's.
 */
export async function runRetention(deps: { db: Database; logger: Logger }, settings: RetentionSettings): Promise<RetentionOutcome> {
  const { db, logger } = deps;
  const limit = settings.batchSize;
  const bodiesBefore = daysAgo(settings.messageBodyDays);
  let tenants: string[] | undefined;
  let cursor: MessageCursor | null = null;
  const messages = await inBatches(logger, 'messages', async () => {
    tenants ??= await listAllTenantIds(db);
    if (tenants.length === 0) return { rows: 0, more: false };
    const { blanked, next } = await blankOldMessageBodies(db, tenants[0]!, bodiesBefore, cursor, limit);
    cursor = next;
    if (!next) tenants.shift();
    return { rows: blanked, more: tenants.length > 0 };
  });
  const deleting = async (table: Exclude<keyof RetentionOutcome, 'messages'>, days: number, remove: (db: Database, before: Date, limit: number) => Promise<number>) => {
    const before = daysAgo(days);
    return inBatches(logger, table, async () => {
      const rows = await remove(db, before, limit);
      return { rows, more: rows === limit };
    });
  };
  return {
    messages,
    office_alerts: await deleting('office_alerts', settings.messageBodyDays, deleteOldOfficeAlerts),
    webhook_inbox: await deleting('webhook_inbox', settings.inboxDays, deleteProcessedInboxRows),
    workflow_events: await deleting('workflow_events', settings.workflowEventsDays, deleteOldWorkflowEvents),
    sync_runs: await deleting('sync_runs', settings.syncRunsDays, deleteOldSyncRuns),
    workflow_step_runs: await deleting('workflow_step_runs', settings.stepRunsDays, deleteOldStepRuns),
    webhook_deliveries: await deleting('webhook_deliveries', settings.webhookDeliveriesDays, deleteDeliveredWebhookDeliveries),
    // After the deliveries: an event goes once none of its deliveries is left.
    webhook_events: await deleting('webhook_events', settings.webhookDeliveriesDays, deleteSettledWebhookEvents),
  };
}

/** The settings from the worker configuration. */
export function retentionSettings(worker: {
  RETENTION_MESSAGE_BODY_DAYS: number;
  RETENTION_INBOX_DAYS: number;
  RETENTION_WORKFLOW_EVENTS_DAYS: number;
  RETENTION_SYNC_RUNS_DAYS: number;
  RETENTION_STEP_RUNS_DAYS: number;
  RETENTION_WEBHOOK_DELIVERIES_DAYS: number;
  RETENTION_BATCH_SIZE: number;
}): RetentionSettings {
  return {
    messageBodyDays: worker.RETENTION_MESSAGE_BODY_DAYS,
    inboxDays: worker.RETENTION_INBOX_DAYS,
    workflowEventsDays: worker.RETENTION_WORKFLOW_EVENTS_DAYS,
    syncRunsDays: worker.RETENTION_SYNC_RUNS_DAYS,
    stepRunsDays: worker.RETENTION_STEP_RUNS_DAYS,
    webhookDeliveriesDays: worker.RETENTION_WEBHOOK_DELIVERIES_DAYS,
    batchSize: worker.RETENTION_BATCH_SIZE,
  };
}
