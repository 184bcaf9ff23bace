// Demo wiring: vendor URLs point at the sandbox, and one demo tenant uses the
// sandbox's demo accounts. Used only when no real vendor URL is configured.
import { createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { root } from './toolchain.mjs';

const DEMO_TENANT_NAME = 'Demo Contractor (sandbox)';

async function sandboxDefaults() {
  const sandbox = await import(pathToFileURL(join(root, 'apps/sandbox/dist/index.js')).href);
  return sandbox.DEMO_DEFAULTS;
}

export async function demoEnvironment(env) {
  const demo = await sandboxDefaults();
  const port = env.SANDBOX_PORT ?? String(demo.port);
  const sandbox = `http://127.0.0.1:${port}`;
  return {
    SANDBOX_PORT: port,
    SANDBOX_PUBLIC_URL: sandbox,
    // Texts to the demo number reach Fieldhand's inbound webhook, as Twilio would send them.
    SANDBOX_TWILIO_SMS_URL: `${env.PUBLIC_BASE_URL}/webhooks/twilio/sms`,
    SERVICETITAN_AUTH_URL: `${sandbox}/servicetitan/auth`,
    SERVICETITAN_API_URL: `${sandbox}/servicetitan/api`,
    GHL_API_URL: `${sandbox}/ghl`,
    TWILIO_API_URL: `${sandbox}/twilio`,
    // The demo should show a change within a minute, not five.
    SYNC_INTERVAL_SECONDS: env.SYNC_INTERVAL_SECONDS ?? '30',
    TWILIO_ACCOUNT_SID: demo.twilioAccountSid,
    TWILIO_AUTH_TOKEN: demo.twilioAuthToken,
    // The sandbox's GHL signs its webhooks with this key; the API verifies with its public half.
    ...ghlWebhookKeys(),
    // The demo tenant's event endpoint is the sandbox's receiver, on loopback.
    WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
    SANDBOX_RECEIVER_SECRET_FILE: demoReceiverSecretFile(),
  };
}

/** The signing secret of the demo tenant's event endpoint, generated once into .fieldhand/; the sandbox's `demo` receiver verifies with it. */
function demoReceiverSecretFile() {
  const file = join(root, '.fieldhand', 'demo-webhook-secret');
  if (!existsSync(file)) writeFileSync(file, `whsec_${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  return file;
}

/** A demo Ed25519 key pair for GHL webhooks, generated once into .fieldhand/. */
function ghlWebhookKeys() {
  const file = join(root, '.fieldhand', 'ghl-webhook-signing-key.pem');
  if (!existsSync(file)) {
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  }
  const publicKey = createPublicKey(readFileSync(file, 'utf8')).export({ type: 'spki', format: 'pem' }).toString();
  return { SANDBOX_GHL_SIGNING_KEY_FILE: file, GHL_WEBHOOK_PUBLIC_KEY: publicKey };
}

/**
 * Creates the demo tenant once, with the demo follow-ups (minutes instead of
 * days) and appointment reminders (minutes instead of hours) switched on; later
 * starts find it and leave it alone.
 */
export async function seedDemoTenant(db, conn, env) {
  const demo = await sandboxDefaults();
  const existing = await conn.query.tenants.findFirst({ where: (t, { eq }) => eq(t.name, DEMO_TENANT_NAME), columns: { id: true } });
  if (existing) return false;
  const tenant = await db.createTenant(conn, {
    name: DEMO_TENANT_NAME,
    timezone: 'America/Chicago',
    servicetitan: {
      tenantId: String(demo.stTenantId),
      clientId: demo.stClientId,
      clientSecret: demo.stClientSecret,
      appKey: demo.stAppKey,
    },
    ghl: { locationId: demo.ghlLocationId, token: demo.ghlToken },
    twilio: { from: demo.twilioFrom },
    // Customers' replies (and held texts, failing syncs) are texted to the demo office's phone.
    alerts: { replyTo: [demo.officePhone] },
  });
  const workflows = await import(pathToFileURL(join(root, 'packages/workflows/dist/index.js')).href);
  await workflows.ensureShippedDefinitions(conn, tenant.id);
  for (const key of ['estimate-follow-up-demo', 'review-request-demo']) await db.setWorkflowDefinitionEnabled(conn, tenant.id, key, true);
  // Reminders in minutes: an appointment booked 30 minutes out gets one 5 minutes later.
  await db.saveReminderSettings(conn, tenant.id, { enabled: true, offsetsMinutes: [25, 5], confirmByReply: true, dispatchNotice: true });
  // Every event goes to the sandbox's demo receiver (GET /_sandbox/receivers/demo lists them, signatures checked).
  const events = await import(pathToFileURL(join(root, 'packages/events/dist/index.js')).href);
  await db.insertWebhookEndpoint(conn, {
    tenantId: tenant.id,
    url: `${env.SANDBOX_PUBLIC_URL}/_sandbox/receivers/demo`,
    events: events.EVENT_TYPES.filter((type) => type !== 'ping'),
    description: 'Demo: the sandbox receiver',
    secret: readFileSync(env.SANDBOX_RECEIVER_SECRET_FILE, 'utf8').trim(),
  });
  return true;
}
