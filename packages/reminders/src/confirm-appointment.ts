import { UnrecoverableError } from 'bullmq';
import { claimVendorWrite, findVendorWrite, settleVendorWrite } from '@fieldhand/db';
import { ServiceTitanRequestError } from '@fieldhand/servicetitan';
import { nowOf, type ReminderDeps } from './reminder-deps.js';

// A write claimed longer ago than this lost its worker mid-call: another attempt may take it.
const CLAIM_TIMEOUT_MS = 3 * 60_000;

export class WriteInFlightError extends Error {
  constructor(id: string) {
    super(`vendor write ${id} is being made by another worker`);
    this.name = 'WriteInFlightError';
  }
}

/**
 * Makes one appointment confirmation in ServiceTitan: one PUT per ledger row, whatever
 * it answered (ServiceTitan answers 200 with an empty body, or 409 when already
 * confirmed: both are done). A refused request (404, 400) fails for good; timeouts, 429
 * and 5xx leave the row pending for the job's retry, and the last attempt fails it.
 */
export async function confirmAppointment(deps: ReminderDeps, data: { tenantId: string; writeId: string }, options: { lastAttempt: boolean }): Promise<'done' | 'failed' | 'already-done'> {
  const write = await findVendorWrite(deps.db, data.tenantId, data.writeId);
  if (!write || write.status === 'done' || write.status === 'failed') return 'already-done';
  const claimed = await claimVendorWrite(deps.db, write.id, new Date(nowOf(deps).getTime() - CLAIM_TIMEOUT_MS));
  // A twin job holds it: retry later, by when it is done (or its claim expired).
  if (!claimed) throw new WriteInFlightError(write.id);
  const appointmentId = Number(claimed.target.appointmentId);
  try {
    const client = await deps.serviceTitan(data.tenantId);
    const answer = await client.confirmAppointment(appointmentId);
    await settleVendorWrite(deps.db, write.id, { status: 'done', responseStatus: answer === 'confirmed' ? 200 : 409 });
    deps.logger.info({ appointmentId, answer }, 'appointment confirmation written to ServiceTitan');
    return 'done';
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof ServiceTitanRequestError) {
      await settleVendorWrite(deps.db, write.id, { status: 'failed', responseStatus: error.status, error: message });
      throw new UnrecoverableError(`ServiceTitan refused the confirmation of appointment ${appointmentId}: ${message}`);
    }
    await settleVendorWrite(deps.db, write.id, { status: options.lastAttempt ? 'failed' : 'pending', error: message });
    throw error;
  }
}
