import { createRequire } from 'node:module';
import type { Context, Span, SpanKind } from '@opentelemetry/api';
import type { Sampler, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { BullMQOtel } from 'bullmq-otel';
import { currentCorrelation, setSpanAnnotator, type CorrelationContext } from './correlation.js';

export type TracingSettings = {
  /** `service.name` of this process's spans, e.g. `fieldhand-api`. */
  serviceName: string;
  /** The OTLP/HTTP traces URL; tracing stays off without it (or an exporter). */
  endpoint?: string | undefined;
  /** Share of new traces kept (0–1); a job or call inside a trace follows its trace's decision. */
  sampleRatio: number;
  /** Tests: spans go here, one by one, instead of to `endpoint`. */
  exporter?: SpanExporter;
};

export const CORRELATION_ATTRIBUTE = 'fieldhand.correlation_id';
export const TENANT_ATTRIBUTE = 'fieldhand.tenant_id';

type Running = { bullmq: BullMQOtel; shutdown: () => Promise<void> };
let running: Running | undefined;

/**
 * Starts OpenTelemetry for this process, or does nothing (and loads nothing) when no
 * endpoint is configured. Call it before creating queues, workers or the Express app.
 */
export async function startTracing(settings: TracingSettings): Promise<boolean> {
  if (running) return true;
  if (!settings.exporter && !settings.endpoint) return false;

  const [api, core, base, node, resources, instrumentation, http, express, pg, otel] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/core'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/instrumentation'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-express'),
    import('@opentelemetry/instrumentation-pg'),
    import('bullmq-otel'),
  ]);
  const exporter = settings.exporter ?? new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter({ url: settings.endpoint });

  const correlationAttributes: SpanProcessor = {
    onStart: (span) => {
      const correlation = currentCorrelation();
      if (correlation) span.setAttributes(attributesOf(correlation));
    },
    onEnd: () => undefined,
    forceFlush: async () => undefined,
    shutdown: async () => undefined,
  };
  const ratio = new base.ParentBasedSampler({ root: new base.TraceIdRatioBasedSampler(settings.sampleRatio) });
  const sampler: Sampler = {
    // A trace starts at a request or a job. BullMQ's own housekeeping (polling for the next
    // job, stalled checks) and queries outside any request or job would each be a trace of one span.
    shouldSample: (context: Context, traceId: string, name: string, kind: SpanKind, ...rest) =>
      api.trace.getSpanContext(context) || kind === api.SpanKind.SERVER || kind === api.SpanKind.CONSUMER || kind === api.SpanKind.PRODUCER
        ? ratio.shouldSample(context, traceId, name, kind, ...rest)
        : { decision: base.SamplingDecision.NOT_RECORD },
    toString: () => `RequestOrJobRoot{${ratio.toString()}}`,
  };
  const provider = new node.NodeTracerProvider({
    resource: resources.resourceFromAttributes({ 'service.name': settings.serviceName, 'service.namespace': 'fieldhand' }),
    sampler,
    spanProcessors: [correlationAttributes, settings.exporter ? new base.SimpleSpanProcessor(exporter) : new base.BatchSpanProcessor(exporter)],
  });
  // The global tracer provider, the AsyncLocalStorage context manager, W3C trace context.
  provider.register();
  const unregister = instrumentation.registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new http.HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => /^\/(healthz|readyz|metrics)(\?|$)/.test(req.url ?? ''),
      }),
      // Only the route name (on the request's span), not a span per middleware.
      new express.ExpressInstrumentation({ ignoreLayersType: [express.ExpressLayerType.MIDDLEWARE, express.ExpressLayerType.REQUEST_HANDLER] }),
      new pg.PgInstrumentation({ requireParentSpan: true }),
    ],
  });
  patchLoadedModules();

  // The correlation id goes on the span of the request (or job) it belongs to as soon as it is known.
  setSpanAnnotator((correlation) => {
    const span: Span | undefined = core.getRPCMetadata(api.context.active())?.span ?? api.trace.getActiveSpan();
    span?.setAttributes(attributesOf(correlation));
  });
  running = {
    bullmq: new otel.BullMQOtel({ tracerName: 'bullmq' }),
    shutdown: async () => {
      setSpanAnnotator(undefined);
      unregister();
      await provider.shutdown();
      api.trace.disable();
      api.context.disable();
      api.propagation.disable();
    },
  };
  return true;
}

/** Flushes spans still buffered and stops tracing (at shutdown). */
export async function stopTracing(): Promise<void> {
  const current = running;
  running = undefined;
  await current?.shutdown();
}

export function tracingEnabled(): boolean {
  return running !== undefined;
}

/** BullMQ's `telemetry` option while tracing runs: it carries the trace context inside each job. */
export function bullmqTelemetry(): BullMQOtel | undefined {
  return running?.bullmq;
}

function attributesOf(correlation: CorrelationContext): Record<string, string> {
  return { [CORRELATION_ATTRIBUTE]: correlation.correlationId, ...(correlation.tenantId ? { [TENANT_ATTRIBUTE]: correlation.tenantId } : {}) };
}

/**
 * ESM imports bypass require(), where the instrumentations hook in, and the entry points
 * have imported everything before tracing starts. Requiring each module here lets its
 * instrumentation patch the copy the process already holds: pnpm links one pg and one
 * express for this package, packages/db and apps/api while their ranges agree (the trace
 * test fails without pg and route spans otherwise).
 */
function patchLoadedModules(): void {
  const require = createRequire(import.meta.url);
  for (const name of ['http', 'https', 'express', 'pg']) require(name);
  createRequire(require.resolve('pg'))('pg-pool');
}

