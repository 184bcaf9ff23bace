import { pino, type Logger, type LoggerOptions } from 'pino';
import { currentCorrelation } from './correlation.js';
import { scrub, scrubText } from './redact.js';

export type { Logger } from 'pino';

export type LoggerSettings = {
  name: string;
  level?: string;
  /** Where lines go; defaults to stdout. Tests pass a stream to inspect output. */
  destination?: pino.DestinationStream;
};

const VERBOSE_LEVELS = new Set(['debug', 'trace']);

/**
 * A JSON logger whose every line carries the current correlation id and never
 * a secret. Phone numbers are masked to their last four digits unless the
 * level is debug or trace (an operator chasing one conversation).
 */
export function createLogger(settings: LoggerSettings): Logger {
  const level = settings.level ?? 'info';
  const maskPhones = !VERBOSE_LEVELS.has(level);
  const options: LoggerOptions = {
    name: settings.name,
    level,
    base: { pid: process.pid, service: settings.name },
    timestamp: pino.stdTimeFunctions.isoTime,
    messageKey: 'msg',
    errorKey: 'err',
    mixin() {
      const ctx = currentCorrelation();
      if (!ctx) return {};
      return {
        correlationId: ctx.correlationId,
        ...(ctx.tenantId ? { tenantId: ctx.tenantId } : {}),
        ...(ctx.queue ? { queue: ctx.queue } : {}),
        ...(ctx.jobId ? { jobId: ctx.jobId } : {}),
      };
    },
    formatters: {
      level: (label) => ({ level: label }),
      log: (obj) => scrub(obj, maskPhones) as Record<string, unknown>,
    },
    serializers: {
      err: (err: unknown) => scrub(err instanceof Error ? serializeError(err) : err, maskPhones),
    },
    hooks: {
      logMethod(args, method) {
        const scrubbed = args.map((a) => (typeof a === 'string' ? scrubText(a, maskPhones) : a));
        method.apply(this, scrubbed as Parameters<typeof method>);
      },
    },
  };
  return settings.destination ? pino(options, settings.destination) : pino(options);
}

function serializeError(err: Error): Record<string, unknown> {
  const out: Record<string, unknown> = { type: err.name, message: err.message, stack: err.stack };
  const code = (err as { code?: unknown }).code;
  if (code !== undefined) out.code = code;
  if (err.cause instanceof Error) out.cause = serializeError(err.cause);
  return out;
}
