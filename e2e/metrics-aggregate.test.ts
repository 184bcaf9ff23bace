// Must-show 2 of issue 17: the API in PM2 cluster mode (2 instances) and every worker
// role; one GET /metrics equals the sum of the instances' own counters after a known load.
import { request } from 'node:http';
import { QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRICS_REPLY, METRICS_REQUEST, type InstanceMetrics } from '@fieldhand/observability';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { jobCatalog, JobBus, type FieldhandCatalog } from '@fieldhand/queues';
import { createTestRedis, type TestRedis } from '@fieldhand/queues/testing';
import { expectedApps, pm2, pm2List, pm2LogLines, startPm2System, waitFor } from './helpers.js';

const adminKey = 'e2e-metrics-admin-key-0123456789abcdef';
const SCRAPE_TIMEOUT_MS = 1_500;
const REQUESTS = 40;
const PROBES = 4;
let t: TestDatabase;
let redis: TestRedis;
let bus: JobBus<FieldhandCatalog>;
let events: QueueEvents;
let pm2Home: string;
let api: string;
let port: number;

beforeAll(async () => {
  t = await createTestDatabase();
  redis = createTestRedis();
  ({ pm2Home, api, port } = await startPm2System({
    databaseUrl: t.url,
    redisUrl: redis.url,
    prefix: redis.prefix,
    adminKey,
    env: { API_INSTANCES: '2', METRICS_SCRAPE_TIMEOUT_MS: String(SCRAPE_TIMEOUT_MS), LOG_LEVEL: 'info' },
  }));
  // After `pm2 start`, which blocks this process long enough to time out a connection being made.
  bus = new JobBus(jobCatalog, redis.connect('producer'), redis.prefix);
  events = new QueueEvents('maintenance', { connection: redis.connect('worker'), prefix: redis.prefix });
  const expected = expectedApps(false, { API_INSTANCES: '2' });
  await waitFor(() => {
    const list = pm2List(pm2Home);
    return list.length === expected.length && list.every((p) => p.status === 'online') || undefined;
  }, 30_000, 'every PM2 instance online');
}, 90_000);

afterAll(async () => {
  if (pm2Home) pm2(pm2Home, ['kill']);
  await events?.close();
  await bus?.close();
  await redis?.cleanup();
  await t?.drop();
}, 60_000);

type Sample = { name: string; labels: Record<string, string>; value: number };

/** The samples of a Prometheus text exposition. */
function samples(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a sample: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

const matching = (list: readonly Sample[], name: string, labels: Record<string, string> = {}) =>
  list.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

/** A sample's value in one instance's own registry (getMetricsAsJSON), 0 when absent. */
function ownValue(instance: InstanceMetrics, name: string, labels: Record<string, string>): number {
  const family = name.endsWith('_count') ? name.slice(0, -'_count'.length) : name;
  const metric = instance.metrics.find((m) => m.name === family || m.name === name);
  return (metric?.values ?? [])
    .filter((v) => ((v as { metricName?: string }).metricName ?? metric!.name) === name)
    .filter((v) => Object.entries(labels).every(([k, want]) => String((v.labels as Record<string, unknown>)[k]) === want))
    .reduce((sum, v) => sum + v.value, 0);
}

/**
 * Each PM2 instance's own metrics, asked directly by this test over PM2's bus (its own
 * client, not the API's): the API's scrape must equal their sum.
 */
async function ownMetricsOfEveryInstance(): Promise<InstanceMetrics[]> {
  const mod = (await import('pm2')) as unknown as { default?: Pm2Api; custom?: Pm2Ctor };
  const Custom = (mod.default?.custom ?? mod.custom)!;
  const client = new Custom({ pm2_home: pm2Home });
  await new Promise<void>((resolve, reject) => client.connect((err) => (err ? reject(err) : resolve())));
  try {
    const bus = await new Promise<Pm2Bus>((resolve, reject) => client.launchBus((err, b) => (err ? reject(err) : resolve(b))));
    const list = await new Promise<Array<{ name: string; pm_id: number }>>((resolve, reject) => client.list((err, l) => (err ? reject(err) : resolve(l))));
    const requestId = `e2e-${Date.now()}`;
    const answers = new Map<number, InstanceMetrics>();
    const done = new Promise<void>((resolve) =>
      bus.on(METRICS_REPLY, (packet) => {
        if (packet.data.requestId !== requestId) return;
        answers.set(packet.process.pm_id, { instance: `${packet.process.name}:${packet.process.pm_id}`, metrics: packet.data.metrics });
        if (answers.size === list.length) resolve();
      }),
    );
    for (const { pm_id } of list) client.sendDataToProcessId(pm_id, { id: pm_id, type: 'process:msg', topic: METRICS_REQUEST, data: { requestId } }, () => undefined);
    await Promise.race([done, new Promise((r) => setTimeout(r, 10_000))]);
    expect(answers.size).toBe(list.length);
    return [...answers.values()];
  } finally {
    client.disconnect();
  }
}
type Pm2Bus = { on: (event: string, cb: (packet: { process: { name: string; pm_id: number }; data: { requestId: string; metrics: InstanceMetrics['metrics'] } }) => void) => void };
type Pm2Api = {
  custom: Pm2Ctor;
  connect: (cb: (err?: Error) => void) => void;
  launchBus: (cb: (err: Error | null, bus: Pm2Bus) => void) => void;
  list: (cb: (err: Error | null, list: Array<{ name: string; pm_id: number }>) => void) => void;
  sendDataToProcessId: (id: number, packet: object, cb: (err?: Error) => void) => void;
  disconnect: () => void;
};
type Pm2Ctor = new (options: { pm2_home: string }) => Pm2Api;

/** A GET on a connection of its own, so PM2's cluster spreads the requests over both API instances. */
function getOnNewConnection(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, headers: { connection: 'close' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

async function scrape(): Promise<{ text: string; ms: number }> {
  const started = Date.now();
  const res = await fetch(`${api}/metrics`);
  expect(res.status).toBe(200);
  return { text: await res.text(), ms: Date.now() - started };
}

describe('one /metrics scrape for the whole deployment', () => {
  it('equals the sum of the instances’ own counters after a known load', async () => {
    const statuses = await Promise.all(Array.from({ length: REQUESTS }, () => getOnNewConnection('/healthz')));
    expect(statuses.every((s) => s === 200)).toBe(true);
    const jobs = await Promise.all(Array.from({ length: PROBES }, (_, i) => bus.enqueue('maintenance.probe', { tenantId: null, probeId: `metrics-${i}` })));
    for (const id of jobs) await (await bus.queue('maintenance').getJob(id))!.waitUntilFinished(events, 20_000);
    // The API counts a request when its response finishes, the worker a job after it settles.
    await new Promise((r) => setTimeout(r, 300));

    const own = await ownMetricsOfEveryInstance();
    const { text } = await scrape();
    const scraped = samples(text);

    const healthz = { method: 'GET', route: '/healthz', status: '200' };
    const apis = own.filter((i) => i.instance.startsWith('fieldhand-api:'));
    expect(apis).toHaveLength(2);
    const perApi = apis.map((i) => ownValue(i, 'fieldhand_http_request_duration_seconds_count', healthz));
    // Both instances took part of the load, and together exactly all of it.
    expect(perApi.every((n) => n > 0)).toBe(true);
    expect(perApi.reduce((a, b) => a + b, 0)).toBe(REQUESTS);
    expect(matching(scraped, 'fieldhand_http_request_duration_seconds_count', healthz)).toEqual([expect.objectContaining({ value: REQUESTS })]);
    // Histograms merged bucket by bucket.
    expect(matching(scraped, 'fieldhand_http_request_duration_seconds_bucket', { ...healthz, le: '+Inf' })[0]?.value).toBe(REQUESTS);

    const probes = { queue: 'maintenance', name: 'maintenance.probe', outcome: 'completed' };
    const perInstanceJobs = own.map((i) => ownValue(i, 'fieldhand_jobs_total', probes));
    expect(perInstanceJobs.reduce((a, b) => a + b, 0)).toBe(PROBES);
    expect(matching(scraped, 'fieldhand_jobs_total', probes)).toEqual([expect.objectContaining({ value: PROBES })]);

    // Gauges per instance: one heap size for each of the 8 processes, none summed.
    const instances = own.map((i) => i.instance).sort();
    expect(instances).toHaveLength(expectedApps(false, { API_INSTANCES: '2' }).length);
    expect(matching(scraped, 'nodejs_heap_size_used_bytes').map((s) => s.labels['pm2_instance']).sort()).toEqual(instances);
    expect(matching(scraped, 'fieldhand_scrape_instance_up').map((s) => [s.labels['pm2_instance'], s.value]).sort()).toEqual(instances.map((i) => [i, 1]));
    // Queue gauges exported once, whichever instance answers, with no instance label.
    const depth = matching(scraped, 'fieldhand_queue_depth', { queue: 'maintenance', state: 'waiting' });
    expect(depth).toHaveLength(1);
    expect(depth[0]!.labels).not.toHaveProperty('pm2_instance');
    expect(matching(scraped, 'fieldhand_messages_unknown')).toEqual([expect.objectContaining({ value: 0 })]);
  }, 60_000);

  it('leaves out and reports an instance that does not answer in time, without hanging', async () => {
    const stuck = pm2List(pm2Home).find((p) => p.name === 'fieldhand-worker-events')!;
    const before = matching(samples((await scrape()).text), 'fieldhand_scrape_instance_up');
    const stuckInstance = before.find((s) => s.labels['pm2_instance']!.startsWith('fieldhand-worker-events:'))!.labels['pm2_instance']!;
    process.kill(stuck.pid, 'SIGSTOP');
    try {
      const { text, ms } = await scrape();
      expect(ms).toBeLessThan(SCRAPE_TIMEOUT_MS + 1_500);
      const up = matching(samples(text), 'fieldhand_scrape_instance_up');
      expect(up.find((s) => s.labels['pm2_instance'] === stuckInstance)?.value).toBe(0);
      expect(up.filter((s) => s.value === 1)).toHaveLength(up.length - 1);
      // The others' counters are still there.
      expect(matching(samples(text), 'fieldhand_jobs_total', { name: 'maintenance.probe' }).length).toBeGreaterThan(0);
      await waitFor(
        () => pm2LogLines(pm2Home).find((l) => l.service === 'api' && Array.isArray(l.missing) && (l.missing as string[]).includes(stuckInstance)),
        10_000,
        'the API log line naming the instance that did not answer',
      );
    } finally {
      process.kill(stuck.pid, 'SIGCONT');
    }
    // Back, and scrapes that overlap (on one API instance or both) each get every instance.
    const overlapping = await Promise.all(Array.from({ length: 4 }, () => scrape()));
    for (const { text } of overlapping) {
      const up = matching(samples(text), 'fieldhand_scrape_instance_up');
      expect(up.map((s) => s.value)).toEqual(up.map(() => 1));
      expect(up.map((s) => s.labels['pm2_instance'])).toContain(stuckInstance);
    }
  }, 30_000);
});
