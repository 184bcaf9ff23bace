// `npm start`: install if needed, build, create and migrate the database, then
// run the API and every worker role under PM2 in the foreground. FIELDHAND_DEMO=1
// is the demo: the sandbox runs as one more PM2 app and a demo tenant is created
// once. On a machine with no configuration at all, npm start sets it (and says so);
// the demo refuses to start beside real vendor settings. Ctrl-C (or SIGTERM) at
// any moment stops everything this command started; it exits 0 only if the system
// had come up.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { demoEnvironment, seedDemoTenant } from './lib/demo.mjs';
import { connectPm2 } from './lib/runtime.mjs';
import { buildIfPossible, ensureInstalled, log, onStop, root, stopRequested } from './lib/toolchain.mjs';

// Settings that mean real vendors: the demo never runs beside them, so it can never
// overwrite or use production credentials.
const VENDOR_SETTINGS = ['SERVICETITAN_API_URL', 'SERVICETITAN_AUTH_URL', 'GHL_API_URL', 'TWILIO_API_URL', 'TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_AUTH_TOKEN_FILE'];

let up = false;
let runtime = null;
onStop(async (signal) => {
  log(`${signal}: stopping every process`);
  const pm2 = await runtime;
  if (pm2) await pm2.stop();
  return up ? 0 : 1;
});

await ensureInstalled();
await buildIfPossible();

const stateDir = join(root, '.fieldhand');
mkdirSync(stateDir, { recursive: true, mode: 0o700 });
const demo = demoMode();
const env = { ...process.env, FIELDHAND_DEMO: demo ? '1' : '0', PM2_HOME: process.env.PM2_HOME ?? join(stateDir, 'pm2') };
env.DATABASE_URL ??= 'postgres://127.0.0.1:5432/fieldhand';
env.PORT ??= '3000';
env.PUBLIC_BASE_URL ??= `http://127.0.0.1:${env.PORT}`;
if (demo) Object.assign(env, await demoEnvironment(env));

const adminKeySource = resolveAdminKey(env);
const encryptionKeySource = resolveEncryptionKey(env);
const cfg = await loadConfigOrExit(env);

const db = await import(pathToFileURL(join(root, 'packages/db/dist/index.js')).href);
if (await db.ensureDatabaseExists(env.DATABASE_URL)) log(`created database ${new URL(env.DATABASE_URL).pathname.slice(1)}`);
const conn = db.createDatabase({
  url: env.DATABASE_URL,
  max: 1,
  applicationName: 'fieldhand-start',
  encryption: { key: cfg.database.FIELDHAND_ENCRYPTION_KEY, previousKeys: cfg.database.FIELDHAND_ENCRYPTION_PREVIOUS_KEYS },
});
await db.runMigrations(conn);
if (demo && (await seedDemoTenant(db, conn, env))) log('created the demo tenant');
await db.closeDatabase(conn);
log('database migrated');

if (!stopRequested()) {
  runtime = connectPm2(env);
  const pm2 = await runtime;
  log('starting the processes under PM2 (their logs: pm2 logs)');
  await pm2.start().catch((err) => {
    process.stderr.write(`PM2 could not start the apps: ${err.message ?? err}\n`);
    process.kill(process.pid, 'SIGTERM');
  });
  await announceWhenReady(pm2);
}

function demoMode() {
  const configured = VENDOR_SETTINGS.filter((name) => process.env[name]);
  const asked = process.env.FIELDHAND_DEMO;
  if (asked === '1' && configured.length > 0) {
    process.stderr.write(`FIELDHAND_DEMO=1 refuses to run beside real vendor settings (${configured.join(', ')}): unset them, or unset FIELDHAND_DEMO\n`);
    process.exit(78);
  }
  if (asked === '1') return true;
  if (asked !== undefined && asked !== '' && asked !== '0') {
    process.stderr.write(`FIELDHAND_DEMO must be 1 or 0, not ${JSON.stringify(asked)}\n`);
    process.exit(78);
  }
  if (asked === '0' || configured.length > 0) return false;
  log('no vendor is configured: starting the demo (FIELDHAND_DEMO=1) with the vendor sandbox');
  return true;
}

/** The configuration every app will load, checked here first so a bad variable stops us before PM2 starts anything. */
async function loadConfigOrExit(target) {
  const { loadConfig, ConfigError } = await import(pathToFileURL(join(root, 'packages/config/dist/index.js')).href);
  try {
    return loadConfig(target);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(78);
  }
}

/**
 * Where a secret comes from: NAME_FILE or NAME, else (the demo only) a file generated
 * once in .fieldhand/; anything but the demo must bring its own.
 */
function resolveSecret(target, name, { file, generate, why, demoNote }) {
  if (target[`${name}_FILE`]) return `file ${target[`${name}_FILE`]} (${name}_FILE)`;
  if (target[name]) return `the ${name} environment variable`;
  if (!demo) {
    process.stderr.write(`${name} (or ${name}_FILE) must be set outside the demo${why}\n`);
    process.exit(78);
  }
  const path = join(stateDir, file);
  if (!existsSync(path)) writeFileSync(path, `${generate()}\n`, { mode: 0o600 });
  target[`${name}_FILE`] = path;
  return `file ${path} (generated for the demo${demoNote})`;
}

function resolveAdminKey(target) {
  return resolveSecret(target, 'FIELDHAND_ADMIN_KEY', { file: 'admin-key', generate: () => randomBytes(24).toString('base64url'), why: '', demoNote: '; cat it to use the API' });
}

/** Vendor secrets are sealed at rest with this key. */
function resolveEncryptionKey(target) {
  const why = ': vendor secrets are encrypted at rest (openssl rand -base64 32)';
  return resolveSecret(target, 'FIELDHAND_ENCRYPTION_KEY', { file: 'encryption-key', generate: () => randomBytes(32).toString('base64'), why, demoNote: '' });
}

async function announceWhenReady(pm2) {
  const api = `http://127.0.0.1:${env.PORT}`;
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline && !stopRequested()) {
    try {
      if ((await fetch(`${api}/readyz`)).ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  if (stopRequested()) return;
  if (Date.now() >= deadline) {
    process.stderr.write(`Fieldhand is not up after 120 s (${api}/readyz does not answer 200): see the errors above, or pm2 logs\n`);
    return;
  }
  up = true;
  // PM2 starts the instances one after another: give the last ones a moment.
  let apps = await pm2.list();
  for (let i = 0; i < 40 && apps.some((a) => a.status !== 'online'); i++) {
    await new Promise((r) => setTimeout(r, 500));
    apps = await pm2.list();
  }
  const lines = [
    `API            ${api}/api/v1  (docs ${api}/api/v1/docs)`,
    `Health         ${api}/healthz  ${api}/readyz  ${api}/metrics`,
    `Queues         ${api}/admin/queues  (user admin, password = admin key)`,
    `Admin key      ${adminKeySource}`,
    `Secrets key    ${encryptionKeySource}`,
    `Processes      PM2_HOME=${env.PM2_HOME} npx pm2 status   (logs: npx pm2 logs, dashboard: npx pm2 monit)`,
  ];
  if (demo) lines.push(`Phone page     ${env.SANDBOX_PUBLIC_URL}/phone`, `Sandbox        ${env.SANDBOX_PUBLIC_URL}  (fake ServiceTitan, GHL and Twilio)`);
  const counts = new Map();
  for (const app of apps) counts.set(`${app.name}|${app.status}`, (counts.get(`${app.name}|${app.status}`) ?? 0) + 1);
  const table = [...counts.entries()].map(([key, n]) => {
    const [name, status] = key.split('|');
    return `  ${status === 'online' ? 'up  ' : 'DOWN'}  ${name}${n > 1 ? ` ×${n}` : ''}${status === 'online' ? '' : ` (${status})`}`;
  });
  log(`Fieldhand is up${demo ? ' (demo mode)' : ''}:\n  ${lines.join('\n  ')}\n\n${table.join('\n')}\n\n  Warnings and errors show here; Ctrl-C stops everything.`);
}
