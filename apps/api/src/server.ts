import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { markDraining } from './app.js';

export type RunningServer = {
  server: Server;
  /** Where it listens, e.g. http://127.0.0.1:3000 (useful with port 0). */
  url: string;
  /**
   * Stops accepting connections, lets in-flight requests finish for up to
   * `graceMs`, then cuts whatever is left. Resolves once the server is closed.
   */
  close: (graceMs: number) => Promise<void>;
};

// Above the 60 s idle timeout of common load balancers, so the proxy, not Node,
// closes idle keep-alive connections (otherwise it may reuse one Node just closed → 502).
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

export async function startServer(app: Express, options: { port: number; host: string; requestTimeoutMs: number }): Promise<RunningServer> {
  const server = createServer(app);
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
  // Node's own bound on receiving a request; the request-timeout middleware answers
  // slow handlers with a 503 well before this.
  server.requestTimeout = Math.max(options.requestTimeoutMs + 5_000, server.headersTimeout);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${address.port}`,
    close: async (graceMs) => {
      markDraining(app);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), graceMs);
      force.unref();
      await closed;
      clearTimeout(force);
    },
  };
}
