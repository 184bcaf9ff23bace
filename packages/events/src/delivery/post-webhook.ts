import http from 'node:http';
import https from 'node:https';
import type { DeliveryAgents } from './agents.js';

export type PostResult = { statusCode: number | null; durationMs: number; error: string | null };

// What is kept of an endpoint's answer: enough to show why it failed, never a memory risk.
export const RESPONSE_BODY_CAP = 4 * 1024;

/**
 * One POST with node:http(s) and the filtering agent: redirects are not followed (a 3xx is a
 * failure), the whole exchange is bounded by `timeoutMs`, and at most RESPONSE_BODY_CAP bytes of
 * the answer are read before the socket is let go.
 */
export function postWebhook(url: URL, body: string, headers: Record<string, string>, options: { agents: DeliveryAgents; timeoutMs: number }): Promise<PostResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    let settled = false;
    const finish = (statusCode: number | null, error: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ statusCode, durationMs: elapsed(), error });
    };
    const transport = url.protocol === 'https:' ? https : http;
    const req = transport.request(url, {
      method: 'POST',
      agent: url.protocol === 'https:' ? options.agents.https : options.agents.http,
      headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'Fieldhand-Webhooks/1', ...headers },
    });
    const timer = setTimeout(() => {
      req.destroy(new Error(`no answer within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    req.on('error', (err) => finish(null, err.message || String(err)));
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        const text = Buffer.concat(chunks).subarray(0, RESPONSE_BODY_CAP).toString('utf8');
        if (status >= 200 && status < 300) return finish(status, null);
        if (status >= 300 && status < 400) return finish(status, `redirect not followed (${status} to ${res.headers.location ?? 'nowhere'})`);
        finish(status, `HTTP ${status}${text ? `: ${text.slice(0, 500)}` : ''}`);
      };
      res.on('data', (chunk: Buffer) => {
        if (size >= RESPONSE_BODY_CAP) return;
        chunks.push(chunk);
        size += chunk.length;
        if (size >= RESPONSE_BODY_CAP) {
          // Enough read: let the socket go rather than drain an endless answer.
          done();
          res.destroy();
        }
      });
      res.on('end', done);
      res.on('error', (err) => finish(status || null, err.message));
      res.on('close', done);
    });
    req.end(body);
  });
}
