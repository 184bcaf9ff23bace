import http from 'node:http';
import https from 'node:https';
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import type * as TwilioResponse from 'twilio/lib/http/response.js';

type Response<T> = TwilioResponse.default<T>;
type Answer = { statusCode: number; body: string; headers: http.IncomingHttpHeaders };

const TWILIO_HOST = 'https://api.twilio.com';
// A kept-alive socket left idle this long is closed by us, before the server closes it:
// reusing one the server is closing fails the send with ECONNRESET, which cannot be told
// from "Twilio may have it", and the text would end `unknown`. Node closes it sooner still,
// a second inside a server's Keep-Alive hint (Node's own servers announce 5 s).
const IDLE_SOCKET_MS = 4_000;

/**
 * The official client's HTTP layer on node:http with keep-alive agents instead of
 * axios: axios's per-request configuration work cost as much CPU as our own send
 * logic (profiled in bench/sms). The twilio package still builds every request
 * and reads every answer (errors included); this only carries the bytes, to
 * `apiUrl` instead of api.twilio.com when one is configured.
 */
export class TwilioHttpClient extends twilio.RequestClient {
  private readonly base: string;
  // The package's own client honours these (an egress proxy, a private CA); with them set we let it carry the bytes.
  private readonly viaPackage = Boolean(process.env.HTTP_PROXY || process.env.TWILIO_CA_BUNDLE);
  private readonly agents = {
    'http:': new http.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS }),
    'https:': new https.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS }),
  };

  constructor(apiUrl: string, timeoutMs: number) {
    // autoRetry stays off: a retry inside the client could send twice; our job retry looks first.
    super({ timeout: timeoutMs, keepAlive: true, autoRetry: false });
    this.base = apiUrl.replace(/\/+$/, '');
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<Response<TData>> {
    const uri = this.base === TWILIO_HOST ? opts.uri : opts.uri.replace(TWILIO_HOST, this.base);
    if (this.viaPackage) return super.request({ ...opts, uri });
    const url = new URL(uri);
    if (opts.params) url.search = formEncode(opts.params as Record<string, unknown>);
    const headers: Record<string, string> = { ...(opts.headers as Record<string, string> | undefined), Connection: 'keep-alive' };
    if (opts.username && opts.password) headers.Authorization = `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString('base64')}`;
    const body = opts.data && headers['Content-Type'] === 'application/x-www-form-urlencoded' ? formEncode(opts.data as Record<string, unknown>) : undefined;
    if (body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(body));
    const transport = url.protocol === 'https:' ? https : http;
    const agent = this.agents[url.protocol as 'http:' | 'https:'];
    const timeoutMs = opts.timeout ?? this.defaultTimeout;
    return new Promise<Answer>((resolve, reject) => {
      const req = transport.request(url, { method: opts.method.toUpperCase(), headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', fail);
        res.on('end', () => {
          clearTimeout(deadline);
          resolve({ statusCode: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers });
        });
      });
      // No whole answer in time: Twilio may have the message, so this surfaces as an error with no status.
      const deadline = setTimeout(() => req.destroy(new Error(`Twilio did not answer within ${timeoutMs} ms`)), timeoutMs);
      function fail(error: Error): void {
        clearTimeout(deadline);
        reject(error);
      }
      req.on('error', fail);
      req.end(body);
    }) as unknown as Promise<Response<TData>>;
  }
}

/** Twilio's form encoding: arrays repeat their key (MediaUrl=a&MediaUrl=b), like the package's own client. */
function formEncode(fields: Record<string, unknown>): string {
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) form.append(key, String(item));
  }
  return form.toString();
}
