import { aggregateInstances, deploymentRegistry, metricsRegistry, scrapeInstanceUp, underPm2, type Logger } from '@fieldhand/observability';
import { instanceName, pm2Instances, type Pm2Gathering, type Pm2Instances } from './pm2-instances.js';

export type DeploymentScrape = { metrics: () => Promise<string>; contentType: string; close: () => Promise<void> };

/**
 * What GET /metrics answers: under PM2, every instance's own metrics aggregated (this
 * one's plus the others', asked over PM2's IPC with a deadline), then the deployment's
 * shared gauges (queues, sync lag, Redis memory) once. Outside PM2, this process's.
 */
export function deploymentScrape(options: { timeoutMs: number; logger: Logger; instances?: Pm2Instances }): DeploymentScrape {
  const instances = options.instances ?? (underPm2() ? pm2Instances() : undefined);
  let lastMissing = '';

  const gather = async (): Promise<Pm2Gathering> => {
    try {
      return await instances!.gather(options.timeoutMs);
    } catch (err) {
      options.logger.warn({ err }, 'metrics scrape: could not ask PM2 for the other instances; this scrape has only this one');
      return { answered: [], missing: [] };
    }
  };

  // A missing instance is logged when the set changes, not on every scrape.
  const report = (missing: readonly string[]) => {
    const key = missing.join(',');
    if (key === lastMissing) return;
    lastMissing = key;
    if (missing.length > 0) options.logger.warn({ missing, timeoutMs: options.timeoutMs }, 'metrics scrape: PM2 instances did not answer in time; left out of the scrape');
    else options.logger.info('metrics scrape: every PM2 instance answers again');
  };

  return {
    contentType: metricsRegistry.contentType,
    async metrics() {
      if (!instances) return join(await metricsRegistry.metrics(), await deploymentRegistry.metrics());
      const self = instanceName(process.env['name'] ?? 'fieldhand-api', process.env['pm_id'] ?? '?');
      const [own, others] = await Promise.all([metricsRegistry.getMetricsAsJSON(), gather()]);
      scrapeInstanceUp.reset();
      for (const { instance } of [{ instance: self }, ...others.answered]) scrapeInstanceUp.set({ pm2_instance: instance }, 1);
      for (const instance of others.missing) scrapeInstanceUp.set({ pm2_instance: instance }, 0);
      report(others.missing);
      const aggregated = aggregateInstances([{ instance: self, metrics: own }, ...others.answered]);
      return join(await aggregated.metrics(), await deploymentRegistry.metrics());
    },
    close: async () => instances?.close(),
  };
}

// Two expositions with distinct metric names concatenate into one.
const join = (a: string, b: string) => `${a.replace(/\n*$/, '\n')}${b}`;
