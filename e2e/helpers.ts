import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import type { Database } from '@fieldhand/db';
import { TEST_ENCRYPTION_KEY } from '@fieldhand/db/testing';

export const root = fileURLToPath(new URL('..', import.meta.url));
const pm2Bin = join(root, 'node_modules/.bin/pm2');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export function newPm2Home(): string {
  return mkdtempSync(join(tmpdir(), 'fh-pm2-'));
}

export type Pm2Process = { name: string; pid: number; status: string; restarts: number };

export function pm2List(pm2Home: string): Pm2Process[] {
  const out = execFileSync(pm2Bin, ['jlist'], { env: { ...process.env, PM2_HOME: pm2Home }, encoding: 'utf8' });
  const json = out.slice(out.indexOf('['));
  return (JSON.parse(json) as Array<{ name: string; pid: number; pm2_env: { status: string; restart_time: number } }>).map((p) => ({
    name: p.name,
    pid: p.pid,
    status: p.pm2_env.status,
    restarts: p.pm2_env.restart_time,
  }));
}

export function pm2(pm2Home: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  return execFileSync(pm2Bin, args, { cwd: root, env: { ...process.env, ...env, PM2_HOME: pm2Home }, encoding: 'utf8' });
}

/** Every line PM2 captured from the apps' stdout, parsed where it is JSON. */
export function pm2LogLines(pm2Home: string): Array<Record<string, unknown>> {
  const dir = join(pm2Home, 'logs');
  return readdirSync(dir)
    .flatMap((file) => readFileSync(join(dir, file), 'utf8').split('\n'))
    .filter((line) => line.startsWith('{'))
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        return {};
      }
    });
}

export async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function waitForReady(baseUrl: string, timeoutMs = 60_000): Promise<void> {
  await waitFor(async () => (await fetch(`${baseUrl}/readyz`)).ok || undefined, timeoutMs, `${baseUrl}/readyz`);
}

export function waitForExit(child: ChildProcess, timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`process did not exit within ${timeoutMs} ms`)), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, ms: Date.now() - started });
    });
  });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export { spawn };

/** The PM2 app names ecosystem.config.cjs declares (with their instance counts) for a given demo mode. */
export function expectedApps(demo: boolean, env: Record<string, string> = {}): string[] {
  const script = `process.env.FIELDHAND_DEMO=${JSON.stringify(demo ? '1' : '0')};Object.assign(process.env, ${JSON.stringify(env)});` +
    `const a=require('./ecosystem.config.cjs').apps;console.log(JSON.stringify(a.flatMap(x=>Array(x.instances??1).fill(x.name))))`;
  return (JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' })) as string[]).sort();
}

export type Pm2System = { pm2Home: string; api: string; port: number; stop: () => void };

/**
 * Every process of ecosystem.config.cjs under a PM2 of its own (no demo sandbox),
 * against the given database and Redis prefix, with short locks and shutdowns so a
 * killed worker's job is retried within seconds. Resolves once /readyz answers.
 */
export async function startPm2System(options: { databaseUrl: string; redisUrl: string; prefix: string; adminKey: string; env?: Record<string, string> }): Promise<Pm2System> {
  const pm2Home = newPm2Home();
  const port = await freePort();
  const api = `http://127.0.0.1:${port}`;
  pm2(pm2Home, ['start', 'ecosystem.config.cjs'], {
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl,
    QUEUE_PREFIX: options.prefix,
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_BASE_URL: api,
    API_INSTANCES: '1',
    FIELDHAND_ADMIN_KEY: options.adminKey,
    // The key the test process seals with too (createTestDatabase): both read the same rows.
    FIELDHAND_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    FIELDHAND_DEMO: '0',
    JOB_LOCK_DURATION_MS: '3000',
    SHUTDOWN_TIMEOUT_MS: '3000',
    ...options.env,
  });
  await waitForReady(api);
  return { pm2Home, api, port, stop: () => void pm2(pm2Home, ['kill']) };
}

export type TwilioAccount = { sender: string; accountSid: string; authToken: string };

/**
 * Lets a test tenant text at any hour, so the hour the suite runs at never matters.
 * The API refuses a window outside 08:00–21:00 (the federal rule), so the fixture
 * writes it straight into the row, as a tenant stored before that rule would be.
 */
export async function allowTextingAtAnyHour(db: Database, tenantId: string): Promise<void> {
  await db.execute(sql`update tenants set twilio = jsonb_set(twilio, '{sendWindow}', '{"start":"00:00","end":"23:59"}'::jsonb) where id = ${tenantId}`);
}

/**
 * A sandbox Twilio account whose number texts the API's inbound webhook, and a
 * tenant sending from it at any hour (allowTextingAtAnyHour). Returns the tenant id.
 */
export async function createTextingTenant(options: { db: Database; sandboxUrl: string; api: string; adminKey: string; name: string; twilio: TwilioAccount }): Promise<string> {
  const { sender, accountSid, authToken } = options.twilio;
  const account = await fetch(`${options.sandboxUrl}/_sandbox/accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ size: 0, twilio: { accountSid, authToken, numbers: [{ phoneNumber: sender, smsUrl: `${options.api}/webhooks/twilio/sms` }] } }),
  });
  if (account.status !== 201) throw new Error(`sandbox account: ${account.status} ${await account.text()}`);
  const tenant = await fetch(`${options.api}/api/v1/tenants`, {
    method: 'POST',
    headers: { authorization: `Bearer ${options.adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: options.name,
      timezone: 'America/Chicago',
      twilio: { from: sender, accountSid, authToken },
    }),
  });
  if (tenant.status !== 201) throw new Error(`tenant: ${tenant.status} ${await tenant.text()}`);
  const { id } = (await tenant.json()) as { id: string };
  await allowTextingAtAnyHour(options.db, id);
  return id;
}

export type Json = Record<string, unknown>;

/** A caller of the REST API with one key: `call(path, method?, body?)` → status and parsed body. */
export function apiCaller(api: () => string, key: string) {
  return async (path: string, method = 'GET', body?: unknown): Promise<{ status: number; body: Json }> => {
    const res = await fetch(`${api()}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json().catch(() => ({}))) as Json };
  };
}

export type NpmStart = { child: ChildProcess; output: () => string };

/**
 * The README's `npm start` of the demo, through npm as users and process managers run it
 * (SIGTERM reaches npm, not our script), on its own ports, database and Redis prefix,
 * on the build `npm test` made.
 */
export function spawnNpmStart(env: { databaseUrl: string; redisUrl: string; prefix: string; port: number; sandboxPort: number; pm2Home: string; adminKey: string } & { extra?: Record<string, string> }): NpmStart {
  const child = spawn('npm', ['start'], {
    cwd: root,
    env: {
      ...process.env,
      FIELDHAND_SKIP_BUILD: '1',
      DATABASE_URL: env.databaseUrl,
      REDIS_URL: env.redisUrl,
      QUEUE_PREFIX: env.prefix,
      PORT: String(env.port),
      SANDBOX_PORT: String(env.sandboxPort),
      FIELDHAND_ADMIN_KEY: env.adminKey,
      PM2_HOME: env.pm2Home,
      SERVICETITAN_API_URL: '',
      GHL_API_URL: '',
      TWILIO_API_URL: '',
      ...env.extra,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  return { child, output: () => output };
}
