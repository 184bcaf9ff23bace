import { AggregatorRegistry, type Registry } from 'prom-client';
import { metricsRegistry } from './metrics.js';
import { underPm2 } from './pm2-io.js';

/** The topic of the packet the API sends each PM2 process (sendDataToProcessId) to ask for its metrics. */
export const METRICS_REQUEST = 'fieldhand:metrics-request';
/** The PM2 bus event a process answers on. */
export const METRICS_REPLY = 'fieldhand:metrics-reply';

export type MetricJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>[number];
/** One PM2 instance's own metrics (`getMetricsAsJSON`), named `<app>:<pm_id>`. */
export type InstanceMetrics = { instance: string; metrics: MetricJson[] };

type Request = { topic: string; data: { requestId: string } };
const isRequest = (packet: unknown): packet is Request =>
  typeof packet === 'object' && packet !== null && (packet as Request).topic === METRICS_REQUEST && typeof (packet as Request).data?.requestId === 'string';

/**
 * Under PM2, answers the API's metrics requests over PM2's IPC channel with this
 * process's own registry (never the deployment gauges: the API adds those once).
 * Returns a stop.
 */
export function answerMetricsRequests(registry: Registry = metricsRegistry): () => void {
  if (!underPm2() || !process.send) return () => undefined;
  const reply = (data: Record<string, unknown>) => {
    // The channel closes while PM2 stops the process: a scrape then reports it missing.
    if (process.connected) process.send?.({ type: METRICS_REPLY, data }, undefined, undefined, () => undefined);
  };
  const onMessage = (packet: unknown) => {
    if (!isRequest(packet)) return;
    const { requestId } = packet.data;
    registry
      .getMetricsAsJSON()
      .then((metrics) => reply({ requestId, metrics }))
      .catch((err: unknown) => reply({ requestId, error: String(err) }));
  };
  process.on('message', onMessage);
  return () => void process.off('message', onMessage);
}

/**
 * One registry of every instance's metrics: counters summed and histograms merged
 * (prom-client's aggregator per metric), gauges kept apart with a `pm2_instance` label
 * (a heap size or a start time means nothing summed). Label `pm2_instance`, not
 * `instance`: Prometheus sets `instance` to the scrape target itself.
 */
export function aggregateInstances(instances: readonly InstanceMetrics[]): Registry {
  const labelled = instances.map(({ instance, metrics }) =>
    metrics.map((metric) =>
      String(metric.type) === 'gauge'
        ? { ...metric, aggregator: 'first', values: metric.values.map((v) => ({ ...v, labels: { ...v.labels, pm2_instance: instance } })) }
        : metric,
    ),
  );
  return AggregatorRegistry.aggregate(labelled);
}
