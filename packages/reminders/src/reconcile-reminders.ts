import { findScheduledReminders, settleReminders } from '@fieldhand/db';
import { reminderFireJobId } from '@fieldhand/queues';
import { enqueueFire } from './plan-appointment.js';
import { nowOf, type ReminderDeps } from './reminder-deps.js';

export type ReconcileRemindersOptions = {
  /** Reminders due within this window are checked, so a lost delayed job is back before it is due. */
  horizonMs?: number;
  batch?: number;
};

/**
 * PostgreSQL is the record: every scheduled reminder due soon must have a fire job in
 * Redis. One that has none (Redis lost its data, a FLUSHALL), or whose job finished
 * without settling it, is enqueued again; the ledger key keeps a repeat to one text. One
 * whose job failed for good is marked failed (its dead letter tells why).
 */
export async function reconcileReminders(deps: Omit<ReminderDeps, 'serviceTitan'>, options: ReconcileRemindersOptions = {}): Promise<{ checked: number; reenqueued: number; failed: number }> {
  const now = nowOf(deps);
  const dueBy = new Date(now.getTime() + (options.horizonMs ?? 15 * 60_000));
  const batch = options.batch ?? 1_000;
  const queue = deps.bus.queue('reminders');
  let checked = 0;
  let reenqueued = 0;
  let failed = 0;
  let after: { dueAt: Date; id: string } | undefined;
  for (;;) {
    const rows = await findScheduledReminders(deps.db, dueBy, batch, after);
    const jobs = await Promise.all(rows.map((r) => queue.getJob(reminderFireJobId(r.id, r.dueAt))));
    for (const [index, job] of jobs.entries()) {
      const row = rows[index]!;
      if (job && !job.finishedOn) continue;
      if (job && (await job.isFailed())) {
        await settleReminders(deps.db, row.tenantId, [row.id], { status: 'failed', reason: `job failed: ${job.failedReason ?? 'unknown'}`.slice(0, 500) });
        failed++;
        continue;
      }
      // Missing, or completed while the row stayed scheduled: its id must be free to add it again.
      if (job) await job.remove();
      await enqueueFire(deps, row, now);
      reenqueued++;
    }
    checked += rows.length;
    if (rows.length < batch) break;
    after = rows.at(-1);
  }
  if (reenqueued > 0) deps.logger.warn({ reenqueued, checked }, 'scheduled reminders had no job in Redis; re-enqueued');
  if (failed > 0) deps.logger.error({ failed }, 'reminders whose job failed for good are marked failed');
  return { checked, reenqueued, failed };
}
