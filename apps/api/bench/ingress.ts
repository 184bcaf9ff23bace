// bench/ingress: signed Twilio inbound webhooks against the real API (signature
// check, tenant lookup, inbox + ledger rows, consent keywords, enqueue) beside a
// bare Express 5 handler, in the same run on the same machine.
// Targets: API req/s ≥ 0.5 × bare, p99 ≤ 100 ms, every accepted webhook in the inbox
// (checked by MessageSid) and its job in Redis. The API logs at info, as in production,
// to /dev/null. autocannon runs in its own process (ingress-load.ts), as Twilio is
// remote: sharing the server's event loop would slow the bare handler far more than
// the API and flatter the ratio. The two servers are measured in alternating rounds
// and the median ratio is judged, so a machine that speeds up or slows down mid-run
// (a shared 2-core box does) skews neither side.
// Run: node --conditions=source --import tsx apps/api/bench/ingress.ts [--seconds=5] [--rounds=3] [--connections=50]
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import express from 'express';
import { loadConfig } from '@fieldhand/config';
import { createTenant, webhookInbox } from '@fieldhand/db';
import { createTestDatabase } from '@fieldhand/db/testing';
import { createLogger } from '@fieldhand/observability';
import { jobCatalog, JobBus } from '@fieldhand/queues';
import { createTestRedis } from '@fieldhand/queues/testing';
import { createApp } from '../src/app.js';
import type { LoadRequest, LoadResult } from './ingress-load.js';

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const SECONDS = arg('seconds', 5);
const ROUNDS = arg('rounds', 3);
const CONNECTIONS = arg('connections', 50);
const SENDER = '+17372004099';
const ACCOUNT_SID = `AC${'9'.repeat(32)}`;
const AUTH_TOKEN = 'bench-ingress-auth-token-0123456789';
// Twilio signs the public URL it was given, which behind a proxy has no port (as in production).
const PUBLIC_BASE_URL = 'https://fieldhand.example';
const SIGNED_URL = `${PUBLIC_BASE_URL}/webhooks/twilio/sms`;

async function listen(app: express.Express): Promise<{ server: Server; url: string }> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const generator = fork(fileURLToPath(new URL('./ingress-load.ts', import.meta.url)), [], { execArgv: ['--conditions=source', '--import', 'tsx'] });
process.on('exit', () => generator.kill());
await once(generator, 'message');

/** One run of the generator against `url`. */
/** One run of the generator against `url`, with this process's CPU per answer (the server's cost, not PostgreSQL's or Redis's). */
async function load(url: string, run: { seconds?: number; amount?: number; connections?: number }): Promise<LoadResult & { cpuPerRequestUs: number }> {
  const spec: LoadRequest = { url, signedUrl: SIGNED_URL, authToken: AUTH_TOKEN, accountSid: ACCOUNT_SID, to: SENDER, connections: CONNECTIONS, ...run };
  const cpu = process.cpuUsage();
  generator.send(spec);
  const [result] = (await once(generator, 'message')) as [LoadResult];
  const used = process.cpuUsage(cpu);
  return { ...result, cpuPerRequestUs: (used.user + used.system) / Math.max(1, result.ok + result.non2xx) };
}

const t = await createTestDatabase();
const redis = createTestRedis();
const producer = redis.connect('producer');
const bus = new JobBus(jobCatalog, producer, redis.prefix);
const config = loadConfig({ DATABASE_URL: t.url, REDIS_URL: redis.url, QUEUE_PREFIX: redis.prefix, DATABASE_POOL_MAX: '20', RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: '100000000' });
const api = await listen(createApp({ config, db: t.db, bus, redis: producer, logger: createLogger({ name: 'bench', level: 'info', destination: createWriteStream('/dev/null') }) }));
config.http.PUBLIC_BASE_URL = PUBLIC_BASE_URL;
const tenant = await createTenant(t.db, { name: 'Bench HVAC', timezone: 'America/Chicago', twilio: { from: SENDER, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN } });

const bareApp = express();
bareApp.post('/webhooks/twilio/sms', express.urlencoded({ extended: false }), (_req, res) => {
  res.type('text/xml').send('<Response/>');
});
const bare = await listen(bareApp);

const bareUrl = `${bare.url}/webhooks/twilio/sms`;
const apiUrl = `${api.url}/webhooks/twilio/sms`;
const accepted = new Set<string>();
// Warm both up (JIT, connection pools), then alternate: bare, API, bare, API, …
for (const url of [bareUrl, apiUrl]) {
  for (const sid of (await load(url, { amount: 500, connections: 10 })).accepted) if (url === apiUrl) accepted.add(sid);
}
const rounds: Array<{ bare: Awaited<ReturnType<typeof load>>; api: Awaited<ReturnType<typeof load>>; ratio: number }> = [];
for (let i = 0; i < ROUNDS; i++) {
  const bareResult = await load(bareUrl, { seconds: SECONDS });
  const apiResult = await load(apiUrl, { seconds: SECONDS });
  for (const sid of apiResult.accepted) accepted.add(sid);
  rounds.push({ bare: bareResult, api: apiResult, ratio: apiResult.requestsPerSecond / bareResult.requestsPerSecond });
}

// Let the last round's in-flight requests (answered after autocannon stopped counting) finish.
await new Promise((resolve) => setTimeout(resolve, 1_000));
const inbox = await t.db.select({ id: webhookInbox.id, sid: webhookInbox.externalId }).from(webhookInbox).where(eq(webhookInbox.tenantId, tenant.id));
const storedSids = new Set(inbox.map((row) => row.sid));
const stored = [...accepted].filter((sid) => storedSids.has(sid)).length;
const jobs = await bus.queue('sms-inbound').getJobCountByTypes('waiting', 'prioritized', 'delayed', 'active');
const ratio = rounds.map((r) => r.ratio).sort((a, b) => a - b)[Math.floor(ROUNDS / 2)]!;
const worstP99 = Math.max(...rounds.map((r) => r.api.p99));
const failures = rounds.reduce((sum, r) => sum + r.api.non2xx + r.api.errors, 0);
const row = (name: string, r: Awaited<ReturnType<typeof load>>) =>
  `  ${name.padEnd(18)} ${r.requestsPerSecond.toFixed(0).padStart(7)} req/s   p50 ${String(r.p50).padStart(4)} ms   p99 ${String(r.p99).padStart(4)} ms   ${r.cpuPerRequestUs.toFixed(0).padStart(4)} µs CPU/req   2xx ${r.ok}   non-2xx ${r.non2xx}   errors ${r.errors}`;
console.log(`\nbench/ingress — ${CONNECTIONS} connections, ${ROUNDS} rounds of ${SECONDS} s per server, the load from its own process`);
rounds.forEach((r, i) => {
  console.log(`round ${i + 1}: ratio ${r.ratio.toFixed(2)}`);
  console.log(row('bare Express 5', r.bare));
  console.log(row('Fieldhand webhook', r.api));
});
console.log(`median ratio ${ratio.toFixed(2)} (target ≥ 0.5)   worst p99 ${worstP99} ms (target ≤ 100)`);
console.log(`accepted ${accepted.size}: ${stored} in the inbox by MessageSid; ${jobs} sms-inbound jobs for ${inbox.length} inbox rows`);
const ok = ratio >= 0.5 && worstP99 <= 100 && stored === accepted.size && jobs === inbox.length && failures === 0;
console.log(ok ? 'PASS' : 'MISS');

generator.kill();
api.server.close();
bare.server.close();
await bus.close();
await redis.cleanup();
await t.drop();
process.exit(ok ? 0 : 1);
