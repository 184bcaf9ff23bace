import { createServer, type Server } from 'node:http';
import { metricsRegistry } from '@fieldhand/observability';

/**
 * A worker process's own metrics on its port, for a host without PM2. Under PM2 the API's
 * /metrics already has them (asked over PM2's IPC): scrape one or the other, never both.
 */
export function startMetricsServer(port: number): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url === '/metrics') {
      metricsRegistry
        .metrics()
        .then((body) => res.writeHead(200, { 'content-type': metricsRegistry.contentType }).end(body))
        .catch(() => res.writeHead(500).end());
      return;
    }
    if (req.url === '/healthz') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    res.writeHead(404).end();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
