// What bench/sms and bench/reminders share: the sandbox vendor in its own process, a sink
// for Twilio's status callbacks, and the plain send path (ledger rows created first, then
// the sms role's workers drain them to the sandbox) that both measure.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { inArray, sql } from 'drizzle-orm';
import type { Config } from '@fieldhand/config';
import { closeDatabase, createDatabase, messages, type Database } from '@fieldhand/db';
import type { Logger } from '@fieldhand/observability';
import { runWorkers, workerPoolSize, type FieldhandCatalog, type JobBus } from '@fieldhand/queues';
import type { TestRedis } from '@fieldhand/queues/testing';
import { createOutboundMessage } from '@fieldhand/sms';
import { smsRole } from '../src/sms/role.js';

export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as AddressInfo;
  await new Promise((r) => probe.close(r));
  return port;
}

// The vendor in its own process, as it is in reality (remote); it still shares this machine's cores.
// Its status callbacks (sent, delivered) come `statusStepMs` apart, after the measured sends.
export async function startSandbox(statusStepMs = 60_000): Promise<{ url: string; pid: number; close: () => Promise<void> }> {
  const port = await freePort();
  const child = fork(fileURLToPath(new URL('../../sandbox/src/main.ts', import.meta.url)), [], {
    execArgv: ['--conditions=source', '--import', 'tsx'],
    env: { ...process.env, SANDBOX_PORT: String(port), SANDBOX_SIZE: '0', SANDBOX_LOG_LEVEL: 'warn', SANDBOX_TWILIO_STATUS_STEP_MS: String(statusStepMs) },
  });
  process.on('exit', () => child.kill());
  const ready = await Promise.race([once(child, 'message').then(() => true), once(child, 'exit').then(() => false)]);
  if (!ready) throw new Error('the sandbox process exited before it was ready');
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    close: async () => {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}

/** Status callbacks land here and are acknowledged; the benches measure sending. */
export async function startCallbackSink(): Promise<{ url: string; close: () => void }> {
  const server = createServer((_req, res) => res.writeHead(204).end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

/** A Twilio account at the sandbox with one sender number; it keeps the account's last 10,000 texts. */
export async function addSandboxAccount(sandboxUrl: string, account: { accountSid: string; authToken: string; sender: string; smsUrl: string }): Promise<void> {
  const res = await fetch(`${sandboxUrl}/_sandbox/accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ size: 0, twilio: { accountSid: account.accountSid, authToken: account.authToken, numbers: [{ phoneNumber: account.sender, smsUrl: account.smsUrl }] } }),
  });
  if (!res.ok) throw new Error(`the sandbox refused account ${account.accountSid}: ${res.status} ${await res.text()}`);
}

export type SandboxText = { sid: string; account_sid: string; to: string; from: string; body: string; direction: string };

/** Every text the sandbox's Twilio still holds (the last 10,000 per account). */
export async function sandboxTexts(sandboxUrl: string): Promise<SandboxText[]> {
  return (await (await fetch(`${sandboxUrl}/_sandbox/twilio/messages`)).json()) as SandboxText[];
}

/** bench/sms's texts: `count` ledger rows (and their send jobs) for one tenant, 200 at a time. */
export async function createPlainTexts(db: Database, bus: JobBus<FieldhandCatalog>, tenantId: string, count: number, logger: Logger): Promise<void> {
  for (let i = 0; i < count; i += 200) {
    await Promise.all(
      Array.from({ length: Math.min(200, count - i) }, (_, k) =>
        createOutboundMessage(db, bus, { tenantId, to: `+1512500${String((i + k) % 10_000).padStart(4, '0')}`, body: `Bench text ${i + k}`, idempotencyKey: `bench-${i + k}` }, logger),
      ),
    );
  }
}

/** The sms role's workers with their own pool, as its PM2 process has them. */
export function startSmsWorkers(o: { config: Config; bus: JobBus<FieldhandCatalog>; redis: TestRedis; logger: Logger }): { db: Database; close: () => Promise<void> } {
  const db = createDatabase({ url: o.config.database.DATABASE_URL, max: workerPoolSize(smsRole.queues, o.config.database.DATABASE_POOL_MAX), applicationName: 'fieldhand-sms' });
  const workers = runWorkers({ role: 'sms', queues: smsRole.queues, handlers: smsRole.handlers({ config: o.config, db, bus: o.bus, logger: o.logger }), bus: o.bus, db, connection: o.redis.connect('worker'), logger: o.logger });
  return {
    db,
    close: async () => {
      await workers.close(5_000);
      await closeDatabase(db);
    },
  };
}

/**
 * The plain send rate: the tenants' texts already queued, the sms role's workers start and
 * drain them. Sends/s over the drain, with this process's CPU and event loop use meanwhile.
 */
export async function drainPlainSends(o: {
  db: Database;
  config: Config;
  bus: JobBus<FieldhandCatalog>;
  redis: TestRedis;
  logger: Logger;
  tenantIds: string[];
  count: number;
  /** Runs once the texts are out, before the workers' pool closes (its PostgreSQL backends still there to read). */
  beforeClose?: () => Promise<void>;
}): Promise<{
  sendsPerSecond: number;
  cpu: NodeJS.CpuUsage;
  loop: ReturnType<typeof performance.eventLoopUtilization>;
}> {
  const started = performance.now();
  const cpuAtStart = process.cpuUsage();
  const loopAtStart = performance.eventLoopUtilization();
  const workers = startSmsWorkers(o);
  for (;;) {
    const { rows } = await o.db.execute<{ pending: number }>(
      sql`select count(*)::int as pending from ${messages} where ${inArray(messages.tenantId, o.tenantIds)} and ${messages.status} in ('queued', 'sending')`,
    );
    if (rows[0]!.pending === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const sendsPerSecond = o.count / ((performance.now() - started) / 1000);
  const cpu = process.cpuUsage(cpuAtStart);
  const loop = performance.eventLoopUtilization(loopAtStart);
  await o.beforeClose?.();
  await workers.close();
  return { sendsPerSecond, cpu, loop };
}

const TICKS_PER_SECOND = 100; // Linux USER_HZ

/** CPU milliseconds (user + system) a process has used so far, from /proc; 0 once it is gone. */
export function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces, in parentheses): utime is the 12th, stime the 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** The PostgreSQL backends (pids) of one application name, in the bench's database. */
export async function backendPids(db: Database, applicationName: string): Promise<number[]> {
  const { rows } = await db.execute<{ pid: number }>(sql`select pid from pg_stat_activity where datname = current_database() and application_name = ${applicationName}`);
  return rows.map((r) => r.pid);
}

/** The Redis server's pid (INFO server). */
export async function redisPid(redis: TestRedis): Promise<number> {
  const info = await redis.connect('worker').info('server');
  return Number(/process_id:(\d+)/.exec(info)?.[1] ?? 0);
}
