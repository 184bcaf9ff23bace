export {
  acceptCorrelationId,
  CORRELATION_HEADER,
  currentCorrelation,
  currentCorrelationId,
  newCorrelationId,
  withCorrelation,
  type CorrelationContext,
} from './correlation.js';
export { createLogger, type Logger, type LoggerSettings } from './logger.js';
export { httpRequestDuration, jobDuration, jobOutcomes, metricsRegistry, retentionRows, setQueueDepthReader } from './metrics.js';
export { maskPhone, REDACTED, scrub, scrubText } from './redact.js';
export { exitOnCrash, onStopRequest } from './process-lifecycle.js';
