import { UnrecoverableError } from '@fieldhand/queues';

export type PushSkipped = { status: 'skipped'; reason: string };

export type PushOutcome = PushSkipped | { status: 'created' | 'adopted' | 'updated' | 'unchanged'; opportunityId: string };

/** GHL refused the request itself (a 4xx other than 429, a refused token): retrying cannot help. */
export function isPermanentGhlError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { permanent?: unknown }).permanent === true;
}

/** A permanent GHL error fails the job now (dead-lettered); anything else is retried by the job. */
export function forJob(error: unknown): unknown {
  if (!isPermanentGhlError(error) || error instanceof UnrecoverableError) return error;
  const unrecoverable = new UnrecoverableError((error as Error).message);
  unrecoverable.stack = (error as Error).stack;
  return unrecoverable;
}
