import { setTimeout as sleep } from 'node:timers/promises';
import type { JobContext } from '@fieldhand/queues';

/** Waits `durationMs` (abandoning the wait on shutdown so the job retries) and reports who ran it. */
export async function runProbe(data: { probeId: string; durationMs: number }, ctx: JobContext): Promise<{ probeId: string; pid: number }> {
  ctx.logger.info({ probeId: data.probeId, durationMs: data.durationMs }, 'probe started');
  await sleep(data.durationMs, undefined, { signal: ctx.signal });
  return { probeId: data.probeId, pid: process.pid };
}
