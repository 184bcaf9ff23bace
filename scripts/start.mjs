// `npm start`: install if needed, build, create and migrate the database, then
// run the API and every worker role under PM2 in the foreground. With none of
// the vendor URLs set this is the demo: the sandbox runs as one more PM2 app
// and a demo tenant is created once. Ctrl-C (or SIGTERM) stops everything.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { demoEnvironment, seedDemoTenant } from './lib/demo.mjs';
import { build, ensureInstalled, log, root } from './lib/toolchain.mjs';

const VENDOR_URLS = ['SERVICETITAN_API_URL', 'GHL_API_URL', 'TWILIO_API_URL'];

ensureInstalled();
if (process.env.FIELDHAND_SKIP_BUILD !== "1") build();

const stateDir = join(root, '.fieldhand');
mkdirSync(stateDir, { recursive: true, mode: 0o700 });
const demo = !VENDOR_URLS.some((name) => process.env[name]);
const env = { ...process.env, FIELDHAND_DEMO: demo ? '1' : '0', PM2_HOME: process.env.PM2_HOME ?? join(stateDir, 'pm2') };
env.DATABASE_URL ??= 'postgres://127.0.0.1:5432/fieldhand';
env.PORT ??= '3000';
env.PUBLIC_BASE_URL ??= `http://127.0.0.1:${env.PORT}`;
if (demo) Object.assign(env, await demoEnvironment(env));

const adminKeySource = resolveAdminKey(env);

const db = await import(pathToFileURL(join(root, 'packages/db/dist/index.js')).href);
if (await db.ensureDatabaseExists(env.DATABASE_URL)) log(`created database ${new URL(env.DATABASE_URL).pathname.slice(1)}`);
const conn = db.createDatabase({ url: env.DATABASE_URL, max: 1, applicationName: 'fieldhand-start' });
await db.runMigrations(conn);
if (demo && (await seedDemoTenant(db, conn))) log('created the demo tenant');
await db.closeDatabase(conn);
log('database migrated');

const pm2 = spawn(join(root, 'node_modules/.bin/pm2-runtime'), ['start', 'ecosystem.config.cjs'], { cwd: root, env, stdio: 'inherit' });
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping every process`);
    pm2.kill(signal);
  });
}
pm2.on('exit', (code, signal) => process.exit(stopping ? 0 : (code ?? (signal ? 1 : 0))));
void announceWhenReady();

function resolveAdminKey(target) {
  if (target.FIELDHAND_ADMIN_KEY_FILE) return `file ${target.FIELDHAND_ADMIN_KEY_FILE} (FIELDHAND_ADMIN_KEY_FILE)`;
  if (target.FIELDHAND_ADMIN_KEY) return 'the FIELDHAND_ADMIN_KEY environment variable';
  if (!demo) {
    process.stderr.write('FIELDHAND_ADMIN_KEY (or FIELDHAND_ADMIN_KEY_FILE) must be set when real vendor URLs are configured\n');
    process.exit(78);
  }
  const file = join(stateDir, 'admin-key');
  if (!existsSync(file)) writeFileSync(file, `${randomBytes(24).toString('base64url')}\n`, { mode: 0o600 });
  target.FIELDHAND_ADMIN_KEY_FILE = file;
  return `file ${file} (generated for the demo; cat it to use the API)`;
}

async function announceWhenReady() {
  const api = `http://127.0.0.1:${env.PORT}`;
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline && !stopping) {
    try {
      if ((await fetch(`${api}/readyz`)).ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  if (stopping) return;
  const lines = [
    `API            ${api}/api/v1  (docs ${api}/api/v1/docs)`,
    `Health         ${api}/healthz  ${api}/readyz  ${api}/metrics`,
    `Queues         ${api}/admin/queues  (user admin, password = admin key)`,
    `Admin key      ${adminKeySource}`,
    `Processes      PM2_HOME=${env.PM2_HOME} npx pm2 status   (or: npx pm2 monit)`,
  ];
  if (demo) lines.push(`Phone page     ${env.SANDBOX_PUBLIC_URL}/phone`, `Sandbox        ${env.SANDBOX_PUBLIC_URL}  (fake ServiceTitan, GHL and Twilio)`);
  log(`Fieldhand is up${demo ? ' (demo mode)' : ''}:\n  ${lines.join('\n  ')}\n  Ctrl-C stops everything.`);
}
