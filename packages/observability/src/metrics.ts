import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

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
  registers: [metricsRegistry],
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
