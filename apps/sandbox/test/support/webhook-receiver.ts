import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  path: string;
  /** The full URL the sender called, as Twilio signs it. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  params: Record<string, string>;
}

export interface WebhookReceiver {
  baseUrl: string;
  received: ReceivedWebhook[];
  /** Resolves once a webhook matching `predicate` has arrived. */
  waitFor(predicate: (hook: ReceivedWebhook) => boolean, timeoutMs?: number): Promise<ReceivedWebhook>;
  close(): Promise<void>;
}

/** A tiny form-webhook receiver standing in for Fieldhand's webhook endpoints. */
export async function startWebhookReceiver(reply = '<?xml version="1.0" encoding="UTF-8"?><Response/>'): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let baseUrl = '';
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({ path: req.url ?? '', url: baseUrl + (req.url ?? ''), headers: req.headers, params: Object.fromEntries(new URLSearchParams(raw)) });
      res.writeHead(200, { 'content-type': 'text/xml' }).end(reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    received,
    async waitFor(predicate, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hook = received.find(predicate);
        if (hook) return hook;
        if (Date.now() > deadline) throw new Error(`webhook not received in ${timeoutMs} ms; got ${JSON.stringify(received.map((h) => [h.path, h.params['MessageStatus'] ?? h.params['Body']]))}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
