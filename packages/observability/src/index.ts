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
export {
  deploymentRegistry,
  httpRequestDuration,
  jobDuration,
  jobOutcomes,
  metricsRegistry,
  retentionRows,
  scrapeInstanceUp,
  setDeploymentStateReader,
  setQueueDepthReader,
  type DeploymentState,
} from './metrics.js';
export { aggregateInstances, answerMetricsRequests, METRICS_REPLY, METRICS_REQUEST, type InstanceMetrics } from './cluster-metrics.js';
export { pm2Io, underPm2, type Pm2Io } from './pm2-io.js';
export { maskPhone, REDACTED, scrub, scrubText } from './redact.js';
export { exitOnCrash, onStopRequest } from './process-lifecycle.js';
export { bullmqTelemetry, CORRELATION_ATTRIBUTE, startTracing, stopTracing, TENANT_ATTRIBUTE, tracingEnabled, type TracingSettings } from './tracing.js';
