import type { CallbackOutcome, Database } from '@fieldhand/db';
import type { Logger } from '@fieldhand/observability';
import { flushOutbox, type FieldhandCatalog, type JobBus, type JobData } from '@fieldhand/queues';
import { applyReportedStatus } from './apply-reported-status.js';

/** `tenantId` is the tenant the callback URL named; null for one signed with the deployment's token. */
export type EarlyStatusJob = JobData<FieldhandCatalog, 'sms.status'>;

export class SidNotYetKnownError extends Error {
  constructor(sid: string) {
    super(`No message has MessageSid ${sid} yet; its send may not have committed`);
    this.name = 'SidNotYetKnownError';
  }
}

/**
 * Applies a status callback that arrived before its send stored the MessageSid.
 * While attempts remain, an unknown SID is an error so the job retries with backoff;
 * on the last attempt it is logged and acknowledged (a message sent from outside
 * Fieldhand on the same account is not ours to track).
 */
export async function applyEarlyStatus(deps: { db: Database; bus: JobBus<FieldhandCatalog>; logger: Logger }, data: EarlyStatusJob, job: { lastAttempt: boolean }): Promise<CallbackOutcome> {
  const scope = data.tenantId ? { tenantId: data.tenantId } : { deploymentAccount: true as const };
  const { outcome, outbox } = await applyReportedStatus(deps.db, scope, data.messageSid, data.status, data.errorCode);
  await flushOutbox(deps.bus, outbox);
  if (outcome === 'unknown' && !job.lastAttempt) throw new SidNotYetKnownError(data.messageSid);
  if (outcome === 'unknown') deps.logger.warn({ sid: data.messageSid, status: data.status }, 'status callback for a message we have no record of; acknowledged');
  return outcome;
}
