import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { pm2Io } from '@fieldhand/observability';

/**
 * What `pm2 monit` / `pm2 describe fieldhand-api` show for each API instance beside CPU
 * and memory: requests per minute and 5xx answers per minute. Off outside PM2. Returns a stop.
 */
export async function publishRequestsToPm2(server: Server): Promise<() => void> {
  const io = await pm2Io();
  if (!io) return () => undefined;
  const requests = io.meter({ name: 'requests/min', samples: 60, timeframe: 60 } as { name: string });
  const serverErrors = io.meter({ name: '5xx/min', samples: 60, timeframe: 60 } as { name: string });
  // A meter reads NaN (and PM2 leaves it out) until marked once.
  requests.mark(0);
  serverErrors.mark(0);
  const onRequest = (_req: IncomingMessage, res: ServerResponse) =>
    res.once('close', () => {
      requests.mark();
      if (res.statusCode >= 500) serverErrors.mark();
    });
  server.on('request', onRequest);
  return () => void server.off('request', onRequest);
}
