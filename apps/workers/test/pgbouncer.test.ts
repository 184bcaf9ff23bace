// PostgreSQL behind PgBouncer in session mode (what docs/scaling.md requires): migrations
// (a session advisory lock), the send path (SQL-level PREPARE on the session, the consent
// gate's row lock held until Twilio answers), a STOP in the webhook's transaction, and the
// GHL push's session advisory lock all work through the pooler. In session mode a client
// connection keeps its server connection while it is open, so the pools of every process
// together must fit PgBouncer's pool (docs/scaling.md); here one pool of 8 takes all of it.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDatabase, createDatabase, createTenant, findConsent, findMessageById, findTenant, runMigrations, EstimatePushBusyError, lockEstimatePush, type Database } from '@fieldhand/db';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { createLogger } from '@fieldhand/observability';
import { jobCatalog, JobBus } from '@fieldhand/queues';
import { createTestRedis, type TestRedis } from '@fieldhand/queues/testing';
import { createOutboundMessage, receiveInbound, SenderRateLimit, sendMessage, TwilioClients, type SmsDeps } from '@fieldhand/sms';
import { createSandbox, type RunningSandbox } from '../../sandbox/src/index.js';

const PGBOUNCER = process.env.PGBOUNCER_PATH ?? '/usr/sbin/pgbouncer';
const SENDER = '+17372004501';
const ACCOUNT_SID = `AC${'3'.repeat(32)}`;
const AUTH_TOKEN = 'pgbouncer-test-auth-token-0123456789';
// The server pool the one client pool (POOL) fills.
const POOL = 8;
const SERVER_POOL = POOL;

let t: TestDatabase;
let redis: TestRedis;
let sandbox: RunningSandbox;
let bouncer: ChildProcess;
let dir: string;
let db: Database;
let deps: SmsDeps;

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

async function startPgbouncer(database: URL): Promise<URL> {
  const port = await freePort();
  dir = mkdtempSync(join(tmpdir(), 'fieldhand-pgbouncer-'));
  const user = decodeURIComponent(database.username) || 'postgres';
  writeFileSync(join(dir, 'users.txt'), `"${user}" ""\n`);
  writeFileSync(
    join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=${database.hostname} port=${database.port || 5432}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      `unix_socket_dir = ${dir}`,
      'auth_type = trust',
      `auth_file = ${join(dir, 'users.txt')}`,
      'pool_mode = session',
      `default_pool_size = ${SERVER_POOL}`,
      'max_client_conn = 200',
      // Fieldhand's pools set these per connection (statement and lock timeouts, the application name).
      'ignore_startup_parameters = extra_float_digits,statement_timeout,lock_timeout,idle_in_transaction_session_timeout',
      `logfile = ${join(dir, 'pgbouncer.log')}`,
      '',
    ].join('\n'),
  );
  // PgBouncer refuses to run as root: as root, it runs as the postgres user (which Debian's PostgreSQL creates).
  const as: { uid?: number; gid?: number } = process.getuid?.() === 0 ? { uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })) } : {};
  if (as.uid !== undefined && as.gid !== undefined) for (const path of [dir, ...readdirSync(dir).map((f) => join(dir, f))]) chownSync(path, as.uid, as.gid);
  bouncer = spawn(PGBOUNCER, [join(dir, 'pgbouncer.ini')], { stdio: 'ignore', ...as });
  const url = new URL(database);
  url.port = String(port);
  for (let i = 0; i < 100; i++) {
    const probe = createDatabase({ url: url.toString(), max: 1 });
    const ok = await probe.$client.query('select 1').then(() => true, () => false);
    await closeDatabase(probe);
    if (ok) return url;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`PgBouncer did not come up on port ${port}`);
}

beforeAll(async () => {
  t = await createTestDatabase();
  redis = createTestRedis();
  sandbox = await createSandbox({ logLevel: 'silent', twilioStatusStepMs: 60_000 }).listen(0);
  await fetch(`${sandbox.url}/_sandbox/accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ size: 0, twilio: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, numbers: [{ phoneNumber: SENDER, smsUrl: 'http://127.0.0.1:9/sms' }] } }),
  });
  const bouncerUrl = await startPgbouncer(new URL(t.url));
  // As the product's processes open it: statement, lock and idle-in-transaction timeouts on every connection.
  db = createDatabase({ url: bouncerUrl.toString(), max: POOL, applicationName: 'pgbouncer-test', timeouts: { statementMs: 10_000, lockMs: 5_000, idleInTransactionMs: 10_000 } });
  deps = {
    db,
    bus: new JobBus(jobCatalog, redis.connect('producer'), redis.prefix),
    logger: createLogger({ name: 'pgbouncer-test', level: 'silent' }),
    twilio: new TwilioClients(`${sandbox.url}/twilio`, 5_000),
    rateLimit: new SenderRateLimit(redis.connect('worker'), redis.prefix),
    settings: { publicBaseUrl: 'http://127.0.0.1:9', segmentsPerSecond: 0 },
    clock: () => new Date('2030-06-03T17:00:00Z'),
  };
}, 60_000);

afterAll(async () => {
  await deps?.bus.close();
  if (db) await closeDatabase(db);
  bouncer?.kill('SIGTERM');
  await sandbox?.close();
  await redis?.cleanup();
  await t?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('behind PgBouncer (session mode)', () => {
  it('migrates (a second run finds nothing to do) under its advisory lock', async () => {
    await expect(runMigrations(db)).resolves.toBeUndefined();
  });

  it('sends 24 texts at once over 8 pooled connections, each once; a STOP cancels the next', async () => {
    const tenant = await createTenant(db, { name: 'Pooled HVAC', timezone: 'America/Chicago', twilio: { from: SENDER, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN } });
    const phones = Array.from({ length: 24 }, (_, i) => `+1512555${String(3000 + i)}`);
    const created = await Promise.all(phones.map((to) => createOutboundMessage(db, deps.bus, { tenantId: tenant.id, to, body: `Pooled ${to}`, idempotencyKey: `pooled-${to}` }, deps.logger)));
    const outcomes = await Promise.all(created.map(({ message }) => sendMessage(deps, { tenantId: tenant.id, messageId: message.id })));
    expect(outcomes).toEqual(phones.map(() => 'accepted'));
    // Again: each row is final, nothing goes twice.
    expect(await Promise.all(created.map(({ message }) => sendMessage(deps, { tenantId: tenant.id, messageId: message.id })))).toEqual(phones.map(() => 'already-final'));
    const atTwilio = (await (await fetch(`${sandbox.url}/_sandbox/twilio/messages`)).json()) as Array<{ to: string }>;
    expect(atTwilio.filter((m) => phones.includes(m.to))).toHaveLength(phones.length);

    // The STOP's transaction (message, inbox row, consent change) through the pooler.
    const row = (await findTenant(db, tenant.id))!;
    await receiveInbound(db, row, { From: phones[0]!, To: SENDER, Body: 'STOP', MessageSid: `SM${'9'.repeat(32)}` }, 'corr-pgbouncer');
    expect(await findConsent(db, tenant.id, phones[0]!)).toMatchObject({ smsOptOut: true });
    const next = await createOutboundMessage(db, deps.bus, { tenantId: tenant.id, to: phones[0]!, body: 'After the STOP' }, deps.logger);
    expect(await sendMessage(deps, { tenantId: tenant.id, messageId: next.message.id })).toBe('canceled-opted-out');
    expect((await findMessageById(db, next.message.id))?.status).toBe('canceled');
  });

  it("holds the GHL push's session advisory lock on its client: a second holder waits, then gets it once it is let go", async () => {
    const tenantId = (await createTenant(db, { name: 'Lock HVAC', timezone: 'America/Chicago' })).id;
    const release = await lockEstimatePush(db, tenantId, 42);
    await expect(lockEstimatePush(db, tenantId, 42, 300)).rejects.toBeInstanceOf(EstimatePushBusyError);
    await release();
    const again = await lockEstimatePush(db, tenantId, 42, 1_000);
    await again();
  });
});
