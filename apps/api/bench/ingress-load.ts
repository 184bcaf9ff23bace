// The load generator for bench/ingress, in its own process (as Twilio is remote), so
// that signing and sending requests never takes the measured server's event loop.
// Driven over IPC by ingress.ts: one message per run, one answer with the figures.
import { createHmac, randomBytes } from 'node:crypto';
import autocannon from 'autocannon';

export type LoadRequest = {
  url: string;
  signedUrl: string;
  authToken: string;
  accountSid: string;
  to: string;
  connections: number;
  /** Seconds of load; or `amount` requests (a warm-up). */
  seconds?: number;
  amount?: number;
};

export type LoadResult = {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  ok: number;
  non2xx: number;
  errors: number;
  /** The MessageSid of every 2xx answer. */
  accepted: string[];
};

// MessageSids unique to this run without a random draw per request.
const RUN = randomBytes(8).toString('hex');
let sids = 0;
const nextSid = () => `SM${RUN}${(sids++).toString(16).padStart(16, '0')}`;

function signedInbound(spec: LoadRequest, n: number, sid: string): { body: string; headers: Record<string, string> } {
  const params: Record<string, string> = {
    MessageSid: sid,
    AccountSid: spec.accountSid,
    From: `+1512400${String(n % 10_000).padStart(4, '0')}`,
    To: spec.to,
    Body: 'Sounds good, see you Tuesday',
    NumMedia: '0',
    NumSegments: '1',
  };
  // Twilio's scheme: the URL, then every parameter name and value in name order, HMAC-SHA1.
  const signature = createHmac('sha1', spec.authToken)
    .update(Object.keys(params).sort().reduce((acc, key) => acc + key + params[key], spec.signedUrl))
    .digest('base64');
  return { body: new URLSearchParams(params).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature } };
}

// More than one process can answer in the time given, signed before the clock starts:
// the load costs the same per request whichever server it is aimed at, and little.
const MAX_RATE = 20_000;

async function run(spec: LoadRequest): Promise<LoadResult> {
  const count = spec.amount ?? (spec.seconds ?? 5) * MAX_RATE;
  const signed = Array.from({ length: count }, (_, n) => {
    const sid = nextSid();
    return { sid, ...signedInbound(spec, n, sid) };
  });
  const accepted: string[] = [];
  let n = 0;
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    ...(spec.amount ? { amount: spec.amount } : { duration: spec.seconds ?? 5 }),
    requests: [
      {
        method: 'POST',
        setupRequest: (req, context) => {
          const next = signed[n++ % count]!;
          (context as { sid?: string }).sid = next.sid;
          return { ...req, body: next.body, headers: next.headers };
        },
        onResponse: (status, _body, context) => {
          if (status >= 200 && status < 300) accepted.push((context as { sid: string }).sid);
        },
      },
    ],
  });
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    accepted,
  };
}

process.on('message', (spec: LoadRequest) => {
  void run(spec).then((result) => process.send!(result));
});
process.send!('ready');
