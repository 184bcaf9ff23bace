import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

export type CorrelationContext = {
  correlationId: string;
  tenantId?: string;
  queue?: string;
  jobId?: string;
};

const storage = new AsyncLocalStorage<CorrelationContext>();

export const CORRELATION_HEADER = 'x-correlation-id';

let annotateSpan: ((context: CorrelationContext) => void) | undefined;

/** Set by tracing while it runs: copies the correlation onto the current request's or job's span. */
export function setSpanAnnotator(annotate: ((context: CorrelationContext) => void) | undefined): void {
  annotateSpan = annotate;
}

/** Runs `fn` with a correlation context that logs and enqueued jobs pick up. */
export function withCorrelation<T>(context: CorrelationContext, fn: () => T): T {
  annotateSpan?.(context);
  return storage.run(context, fn);
}

export function currentCorrelation(): CorrelationContext | undefined {
  return storage.getStore();
}

export function currentCorrelationId(): string | undefined {
  return storage.getStore()?.correlationId;
}

export function newCorrelationId(): string {
  return randomUUID();
}

// Accept caller-supplied ids only if they are short and printable, so a header
// cannot inject log lines or unbounded data.
const ACCEPTABLE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function acceptCorrelationId(candidate: unknown): string {
  return typeof candidate === 'string' && ACCEPTABLE_ID.test(candidate) ? candidate : newCorrelationId();
}
