import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { ConfigError, loadConfig } from '@fieldhand/config';
import { bullmqTelemetry, CORRELATION_ATTRIBUTE, createLogger, startTracing, stopTracing, tracingEnabled, withCorrelation } from '@fieldhand/observability';
import { runWorkers, type RunningWorkers } from '@fieldhand/queues';
import { ACCOUNT_SID, AUTH_TOKEN, SENDER, sign, startSmsHarness, type SmsHarness } from '../../api/test/support/sms-harness.js';
import { ADMIN_KEY } from '../../api/test/support/test-api.js';
import { workflowsRole } from '../src/workflows/role.js';

// The API, the sms and workflows workers and the sandbox's Twilio, in this process over real
// PostgreSQL, Redis and HTTP, with every span kept in memory.
const exporter = new InMemorySpanExporter();
let h: SmsHarness;
let workflows: RunningWorkers;
let offBeforeStart: { started: boolean; enabled: boolean; telemetry: unknown };

beforeAll(async () => {
  offBeforeStart = { started: await startTracing({ serviceName: 'fieldhand-test', sampleRatio: 1 }), enabled: tracingEnabled(), telemetry: bullmqTelemetry() };
  await startTracing({ serviceName: 'fieldhand-test', sampleRatio: 1, exporter });
  h = await startSmsHarness();
  h.startWorker();
  const logger = createLogger({ name: 'tracing-test', level: 'silent' });
  workflows = runWorkers({
    role: 'workflows',
    queues: workflowsRole.queues,
    handlers: workflowsRole.handlers({ config: h.api.config, db: h.api.db, bus: h.api.bus, logger }),
    bus: h.api.bus,
    db: h.api.db,
    connection: h.api.redis.connect('worker'),
    logger,
  });
});
afterAll(async () => {
  await workflows?.close(2_000);
  await h?.stop();
  await stopTracing();
});

/** Polls until `check` answers; the failure names what it waited for, with what was there by then. */
async function until<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string | (() => string)): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; ; await new Promise((resolve) => setTimeout(resolve, 50))) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
  }
}

const spans = () => exporter.getFinishedSpans();
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
/** The span and its ancestors up to the trace's root, nearest first. */
function ancestry(span: ReadableSpan): ReadableSpan[] {
  const byId = new Map(spans().filter((s) => s.spanContext().traceId === span.spanContext().traceId).map((s) => [s.spanContext().spanId, s]));
  const chain = [span];
  for (let parent = byId.get(parentOf(span) ?? ''); parent; parent = byId.get(parentOf(parent) ?? '')) chain.push(parent);
  return chain;
}
const describeTrace = (traceId: string) =>
  spans()
    .filter((s) => s.spanContext().traceId === traceId)
    .map((s) => `${s.name} [${SpanKind[s.kind]}] ${s.spanContext().spanId} <- ${parentOf(s) ?? 'root'}`)
    .join('\n');

describe('tracing off', () => {
  it('is off without an endpoint: nothing starts and BullMQ gets no telemetry', () => {
    expect(offBeforeStart).toEqual({ started: false, enabled: false, telemetry: undefined });
  });

  it('reads OpenTelemetry’s own variables, and a bad sampling ratio names its variable', () => {
    expect(loadConfig({}).tracing).toEqual({ endpoint: undefined, serviceName: undefined, sampleRatio: 1 });
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/', OTEL_TRACES_SAMPLER_ARG: '0.25' }).tracing).toEqual({
      endpoint: 'http://collector:4318/v1/traces',
      serviceName: undefined,
      sampleRatio: 0.25,
    });
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:4318/in' }).tracing.endpoint).toBe('http://traces:4318/in');
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' }).tracing.endpoint).toBeUndefined();
    expect(() => loadConfig({ OTEL_TRACES_SAMPLER_ARG: '2' })).toThrow(ConfigError);
    expect(() => loadConfig({ OTEL_TRACES_SAMPLER_ARG: '2' })).toThrow(/OTEL_TRACES_SAMPLER_ARG/);
  });
});

describe('one trace from the webhook or event through its jobs to the vendor call (must show 5)', () => {
  it('an inbound STOP: the webhook request, its sms-inbound job and the follow-up job share a trace, parented through BullMQ', async () => {
    const url = `${h.api.url}/webhooks/twilio/sms`;
    const params = { MessageSid: `SM${'8'.repeat(32)}`, AccountSid: ACCOUNT_SID, From: '+15127035001', To: SENDER, Body: 'STOP', NumMedia: '0', NumSegments: '1' };
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': sign(AUTH_TOKEN, url, params), 'x-correlation-id': 'trace-stop-1' },
      body: new URLSearchParams(params),
    });
    expect(res.status).toBe(200);

    const request = await until(async () => spans().find((s) => s.kind === SpanKind.SERVER && s.attributes['http.route'] === '/webhooks/twilio/sms'), 10_000, 'the webhook request span');
    const traceId = request.spanContext().traceId;
    expect(request.attributes[CORRELATION_ATTRIBUTE]).toBe('trace-stop-1');
    const inTrace = () => spans().filter((s) => s.spanContext().traceId === traceId);
    const inboundJob = await until(async () => inTrace().find((s) => s.kind === SpanKind.CONSUMER && s.name === 'process sms-inbound'), 15_000, () => `the sms-inbound job span in\n${describeTrace(traceId)}`);
    const followUp = await until(async () => inTrace().find((s) => s.kind === SpanKind.CONSUMER && s.name === 'process workflow'), 15_000, () => `the workflow.sms-event job span in\n${describeTrace(traceId)}`);

    // The job's span hangs under the span that enqueued it, which hangs under the request.
    const [, enqueued, ...above] = ancestry(inboundJob);
    expect(enqueued).toMatchObject({ kind: SpanKind.PRODUCER });
    expect(enqueued!.name).toMatch(/^add(Bulk)? sms-inbound/);
    expect(above.map((s) => s.spanContext().spanId)).toContain(request.spanContext().spanId);
    expect(ancestry(followUp).map((s) => s.spanContext().spanId)).toContain(inboundJob.spanContext().spanId);
    expect(inboundJob.attributes[CORRELATION_ATTRIBUTE]).toBe('trace-stop-1');
    expect(followUp.attributes[CORRELATION_ATTRIBUTE]).toBe('trace-stop-1');
    // The consent change itself: PostgreSQL statements inside the request and inside the job.
    const queries = inTrace().filter((s) => s.kind === SpanKind.CLIENT && s.name.startsWith('pg.query') && s.attributes['db.system.name'] === 'postgresql');
    const underJob = queries.filter((q) => ancestry(q).includes(inboundJob));
    const underRequest = queries.filter((q) => ancestry(q).includes(request));
    expect(underRequest.length, describeTrace(traceId)).toBeGreaterThan(0);
    expect(underJob.length).toBeGreaterThan(0);
    expect(underJob.every((q) => q.attributes[CORRELATION_ATTRIBUTE] === 'trace-stop-1')).toBe(true);
  });

  it('a workflow text: the event, the step job, the sms send job and the HTTP call to Twilio share a trace', async () => {
    const definition = {
      key: 'traced-follow-up',
      name: 'Traced follow-up',
      trigger: { event: 'estimate.created', conditions: [{ field: 'estimateSubtotal', op: 'gte', value: 1000 }] },
      reentry: { policy: 'once' },
      start: 'text-1',
      steps: [
        { id: 'text-1', type: 'send_sms', template: 'Hi {{firstName}}, this is {{companyName}} about your estimate.', next: 'done' },
        { id: 'done', type: 'end' },
      ],
    };
    const base = `/api/v1/tenants/${h.tenantId}`;
    expect((await h.api.request(`${base}/workflows`, { method: 'POST', key: ADMIN_KEY, body: definition })).status).toBe(201);
    expect((await h.api.request(`${base}/workflows/traced-follow-up/enable`, { method: 'POST', key: ADMIN_KEY })).status).toBe(200);
    const phone = '+15127035002';
    const [customerId, estimateId] = [61_001, 61_002];
    await h.api.db.execute(sql`insert into st_customers (tenant_id, id, active, modified_on, raw, name) values (${h.tenantId}, ${customerId}, true, now(), '{}'::jsonb, 'Pat Jones')`);
    await h.api.db.execute(sql`insert into st_customer_contacts (tenant_id, id, active, modified_on, raw, customer_id, type, value, phone) values (${h.tenantId}, 61003, true, now(), '{}'::jsonb, ${customerId}, 'MobilePhone', ${phone}, ${phone})`);
    await h.api.db.execute(sql`insert into st_estimates (tenant_id, id, active, modified_on, raw, customer_id, name, status, subtotal, total) values (${h.tenantId}, ${estimateId}, true, now(), '{}'::jsonb, ${customerId}, 'Heat pump', 'Open', 2500.00, 2500.00)`);

    // As a sync page would enqueue it.
    const eventId = `${h.tenantId}-estimate.created-${estimateId}-1`;
    await withCorrelation({ correlationId: 'trace-wf-1' }, () =>
      h.api.bus.enqueue(
        'workflow.domain-event',
        { tenantId: h.tenantId, eventId, type: 'estimate.created', source: 'servicetitan', subject: { type: 'estimate', id: estimateId }, refs: { customerId }, old: null, new: { status: 'Open' }, occurredAt: new Date().toISOString() },
        { jobId: `evt-${eventId}` },
      ),
    );

    const twilioCall = await until(
      async () => spans().find((s) => s.kind === SpanKind.CLIENT && String(s.attributes['url.full'] ?? '').includes(`/twilio/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`) && s.attributes[CORRELATION_ATTRIBUTE] === 'trace-wf-1'),
      20_000,
      () => `the HTTP call to Twilio among\n${spans().map((s) => `${s.name} [${SpanKind[s.kind]}] ${String(s.attributes['url.full'] ?? '')}`).join('\n')}`,
    );
    const traceId = twilioCall.spanContext().traceId;
    // A span is exported when it ends: the jobs above the call finish after it.
    const chain = await until(async () => {
      const up = ancestry(twilioCall);
      return parentOf(up.at(-1)!) === undefined ? up : undefined;
    }, 10_000, () => `the trace's root in\n${describeTrace(traceId)}`);
    const names = chain.map((s) => `${s.name} [${SpanKind[s.kind]}]`);
    const indexOf = (name: RegExp, kind: SpanKind) => chain.findIndex((s) => s.kind === kind && name.test(s.name));
    const send = indexOf(/^process sms-send$/, SpanKind.CONSUMER);
    const sendEnqueued = indexOf(/^add(Bulk)? sms-send/, SpanKind.PRODUCER);
    const step = indexOf(/^process workflow$/, SpanKind.CONSUMER);
    const root = chain.at(-1)!;
    expect(send, names.join(' <- ')).toBeGreaterThan(0);
    expect(sendEnqueued, names.join(' <- ')).toBe(send + 1);
    expect(step, names.join(' <- ')).toBeGreaterThan(sendEnqueued);
    expect(names.slice(step + 1)).toContain('add workflow.workflow.step [PRODUCER]');
    // The trace begins where the event was enqueued.
    expect(root.kind, describeTrace(traceId)).toBe(SpanKind.PRODUCER);
    expect(root.name).toMatch(/^add workflow\.workflow\.domain-event/);
    expect(chain.slice(0, send + 1).every((s) => s.attributes[CORRELATION_ATTRIBUTE] === 'trace-wf-1')).toBe(true);
    // Twilio's side of the call (the sandbox, in this process) continues the same trace from the traceparent header.
    const atTwilio = spans().find((s) => s.kind === SpanKind.SERVER && parentOf(s) === twilioCall.spanContext().spanId);
    expect(atTwilio?.spanContext().traceId).toBe(traceId);
  });

  it('keeps BullMQ’s housekeeping (polling for jobs, stalled checks) out of the traces', () => {
    const housekeeping = spans().filter((s) => /^(getNextJob|moveStalledJobsToWait|startStalledCheckTimer)\b/.test(s.name));
    expect(housekeeping).toEqual([]);
  });
});
