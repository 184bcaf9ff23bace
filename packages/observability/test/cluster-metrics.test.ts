import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { aggregateInstances, type InstanceMetrics } from '../src/index.js';

/** One PM2 instance's own registry, as answerMetricsRequests sends it. */
async function instance(name: string, fill: (metrics: { requests: Counter<'route'>; duration: Histogram; heap: Gauge }) => void): Promise<InstanceMetrics> {
  const registry = new Registry();
  const requests = new Counter({ name: 't_requests_total', help: 'h', labelNames: ['route'], registers: [registry] });
  const duration = new Histogram({ name: 't_duration_seconds', help: 'h', buckets: [0.1, 1], registers: [registry] });
  const heap = new Gauge({ name: 't_heap_bytes', help: 'h', registers: [registry] });
  fill({ requests, duration, heap });
  return { instance: name, metrics: await registry.getMetricsAsJSON() };
}

describe('aggregateInstances', () => {
  it('sums counters, merges histograms bucket by bucket, and keeps gauges apart per instance', async () => {
    const a = await instance('fieldhand-api:0', ({ requests, duration, heap }) => {
      requests.inc({ route: '/x' }, 3);
      duration.observe(0.05);
      heap.set(100);
    });
    const b = await instance('fieldhand-api:1', ({ requests, duration, heap }) => {
      requests.inc({ route: '/x' }, 4);
      requests.inc({ route: '/y' }, 1);
      duration.observe(0.5);
      duration.observe(5);
      heap.set(200);
    });
    const text = await aggregateInstances([a, b]).metrics();
    expect(text).toContain('t_requests_total{route="/x"} 7');
    expect(text).toContain('t_requests_total{route="/y"} 1');
    expect(text).toContain('t_duration_seconds_bucket{le="0.1"} 1');
    expect(text).toContain('t_duration_seconds_bucket{le="1"} 2');
    expect(text).toContain('t_duration_seconds_bucket{le="+Inf"} 3');
    expect(text).toContain('t_duration_seconds_count 3');
    expect(text).toContain('t_heap_bytes{pm2_instance="fieldhand-api:0"} 100');
    expect(text).toContain('t_heap_bytes{pm2_instance="fieldhand-api:1"} 200');
    expect(text).not.toMatch(/^t_heap_bytes 300$/m);
  });

  it('counts an instance once: the result is the same as its own registry when alone', async () => {
    const a = await instance('fieldhand-worker-sms:3', ({ requests }) => requests.inc({ route: '/x' }, 2));
    expect(await aggregateInstances([a]).metrics()).toContain('t_requests_total{route="/x"} 2');
  });
});
