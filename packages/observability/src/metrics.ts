import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** This process's own metrics: the API's /metrics sums them over every PM2 instance. */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

/**
 * The deployment's shared state (Redis, PostgreSQL), read at scrape time: the same from
 * any process, so only the process answering the scrape exports it (once, unlabelled).
 */
export const deploymentRegistry = new Registry();

export const httpRequestDuration = new Histogram({
  name: 'fieldhand_http_request_duration_seconds',
  help: 'HTTP request duration by method, route pattern and status code',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});

export const jobDuration = new Histogram({
  name: 'fieldhand_job_duration_seconds',
  help: 'Job processing duration by queue, job name and outcome (completed, failed, dead_lettered)',
  labelNames: ['queue', 'name', 'outcome'] as const,
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  registers: [metricsRegistry],
});

export const jobOutcomes = new Counter({
  name: 'fieldhand_jobs_total',
  help: 'Jobs processed by queue, job name and outcome',
  labelNames: ['queue', 'name', 'outcome'] as const,
  registers: [metricsRegistry],
});

type DepthReader = () => Promise<Array<{ queue: string; state: string; count: number }>>;
let depthReader: DepthReader | undefined;

/** Queue depths are read from Redis when scraped, so they are the same from any process. */
export function setQueueDepthReader(reader: DepthReader | undefined): void {
  depthReader = reader;
}

new Gauge({
  name: 'fieldhand_queue_depth',
  help: 'Jobs per queue and state (waiting, active, delayed, failed), read at scrape time',
  labelNames: ['queue', 'state'] as const,
  registers: [deploymentRegistry],
  async collect() {
    if (!depthReader) return;
    this.reset();
    for (const { queue, state, count } of await depthReader()) this.set({ queue, state }, count);
  },
});

export const retentionRows = new Counter({
  name: 'fieldhand_retention_rows_total',
  help: 'Rows the retention job blanked or deleted, by table',
  labelNames: ['table'] as const,
  registers: [metricsRegistry],
});

export type DeploymentState = {
  syncLag: Array<{ source: string; module: string; seconds: number }>;
  messagesUnknown: number;
  optOutsToday: number;
  /** From Redis INFO memory; `maxBytes` 0 = no maxmemory set. */
  redisMemory: { usedBytes: number; maxBytes: number } | undefined;
};
type DeploymentStateReader = () => Promise<DeploymentState>;
let stateReader: DeploymentStateReader | undefined;
let stateRead: { at: number; state: Promise<DeploymentState> } | undefined;

/** The reader behind the PostgreSQL and Redis gauges (the API sets it); one read serves every gauge of a scrape. */
export function setDeploymentStateReader(reader: DeploymentStateReader | undefined): void {
  stateReader = reader;
  stateRead = undefined;
}

async function deploymentState(): Promise<DeploymentState | undefined> {
  if (!stateReader) return undefined;
  if (!stateRead || Date.now() - stateRead.at > 1_000) stateRead = { at: Date.now(), state: stateReader() };
  return stateRead.state;
}

new Gauge({
  name: 'fieldhand_sync_lag_seconds',
  help: 'Per source and module, the longest any tenant has gone without a successful sync pass',
  labelNames: ['source', 'module'] as const,
  registers: [deploymentRegistry],
  async collect() {
    const state = await deploymentState();
    if (!state) return;
    this.reset();
    for (const { source, module, seconds } of state.syncLag) this.set({ source, module }, seconds);
  },
});

new Gauge({
  name: 'fieldhand_messages_unknown',
  help: 'Texts in status unknown (Twilio may or may not have sent them; an operator decides)',
  registers: [deploymentRegistry],
  async collect() {
    const state = await deploymentState();
    if (state) this.set(state.messagesUnknown);
  },
});

new Gauge({
  name: 'fieldhand_sms_opt_outs_today',
  help: 'Numbers that opted out since 00:00 UTC and are still opted out',
  registers: [deploymentRegistry],
  async collect() {
    const state = await deploymentState();
    if (state) this.set(state.optOutsToday);
  },
});

new Gauge({
  name: 'fieldhand_redis_memory_used_bytes',
  help: 'Redis used_memory (INFO memory)',
  registers: [deploymentRegistry],
  async collect() {
    const memory = (await deploymentState())?.redisMemory;
    if (memory) this.set(memory.usedBytes);
  },
});

new Gauge({
  name: 'fieldhand_redis_memory_max_bytes',
  help: 'Redis maxmemory (INFO memory); 0 = no limit set',
  registers: [deploymentRegistry],
  async collect() {
    const memory = (await deploymentState())?.redisMemory;
    if (memory) this.set(memory.maxBytes);
  },
});

/** Set by the API's scrape: 1 if the PM2 instance answered within METRICS_SCRAPE_TIMEOUT_MS, else 0. */
export const scrapeInstanceUp = new Gauge({
  name: 'fieldhand_scrape_instance_up',
  help: 'Whether a PM2 instance answered the last /metrics scrape in time (1) or not (0)',
  labelNames: ['pm2_instance'] as const,
  registers: [deploymentRegistry],
});
