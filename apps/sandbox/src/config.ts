import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { AccountSpec } from './accounts/account-spec.js';
import { faultRuleSchema, type FaultConfigInput } from './faults/fault-rules.js';

/** Demo credentials: what `npm start` points Fieldhand at when no real vendor is configured. */
export const DEMO_DEFAULTS = {
  port: 4010,
  seed: 42,
  size: 300,
  stTenantId: 1_000_001,
  stClientId: 'demo-client',
  stClientSecret: 'demo-secret',
  stAppKey: 'demo-app-key',
  ghlLocationId: 'sbxDemoLocation00001',
  ghlToken: 'pit-sandbox-demo-token',
  twilioAccountSid: 'AC00000000000000000000000000000001',
  twilioAuthToken: '0123456789abcdef0123456789abcdef',
  twilioFrom: '+17372004000',
  /** The demo office's mobile: the demo tenant forwards customers' replies here (office alerts). */
  officePhone: '+15125550100',
} as const;

const envSchema = z.object({
  SANDBOX_PORT: z.coerce.number().int().min(0).max(65_535).default(DEMO_DEFAULTS.port),
  SANDBOX_HOST: z.string().default('127.0.0.1'),
  SANDBOX_SEED: z.coerce.number().int().default(DEMO_DEFAULTS.seed),
  SANDBOX_SIZE: z.coerce.number().int().min(0).default(DEMO_DEFAULTS.size),
  SANDBOX_ST_TENANT_ID: z.coerce.number().int().positive().default(DEMO_DEFAULTS.stTenantId),
  SANDBOX_ST_CLIENT_ID: z.string().default(DEMO_DEFAULTS.stClientId),
  SANDBOX_ST_CLIENT_SECRET: z.string().default(DEMO_DEFAULTS.stClientSecret),
  SANDBOX_ST_APP_KEY: z.string().default(DEMO_DEFAULTS.stAppKey),
  SANDBOX_GHL_LOCATION_ID: z.string().default(DEMO_DEFAULTS.ghlLocationId),
  SANDBOX_GHL_TOKEN: z.string().default(DEMO_DEFAULTS.ghlToken),
  SANDBOX_TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-f]{32}$/).default(DEMO_DEFAULTS.twilioAccountSid),
  SANDBOX_TWILIO_AUTH_TOKEN: z.string().default(DEMO_DEFAULTS.twilioAuthToken),
  SANDBOX_TWILIO_FROM: z.string().regex(/^\+\d{8,15}$/).default(DEMO_DEFAULTS.twilioFrom),
  /** Where texts to the demo number are POSTed (Fieldhand's inbound webhook). */
  SANDBOX_TWILIO_SMS_URL: z.string().url().optional(),
  SANDBOX_TWILIO_STATUS_STEP_MS: z.coerce.number().int().min(0).default(1_000),
  SANDBOX_FAULT_SEED: z.coerce.number().int().default(1),
  /** JSON array of fault rules (see README). */
  SANDBOX_FAULTS: z
    .string()
    .default('[]')
    .transform((text, ctx) => {
      try {
        return z.array(faultRuleSchema).parse(JSON.parse(text));
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `SANDBOX_FAULTS is not a valid rule list: ${String(error)}` });
        return z.NEVER;
      }
    }),
  SANDBOX_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** A file holding the Ed25519 private key (PEM) that signs GHL webhooks; unset, a new pair per start. */
  SANDBOX_GHL_SIGNING_KEY_FILE: z.string().min(1).optional(),
  /** A file holding the whsec_… secret the `demo` event receiver verifies signatures with. */
  SANDBOX_RECEIVER_SECRET_FILE: z.string().min(1).optional(),
});

export interface SandboxOptions {
  /** The account set created at start; omit for none (tests create their own). */
  demo?: AccountSpec;
  faults?: FaultConfigInput;
  /** Time between Twilio status steps (queued → sent → delivered). */
  twilioStatusStepMs?: number;
  /** ServiceTitan token lifetime in seconds (900 like the real service). */
  stTokenLifetimeSeconds?: number;
  /** With includeRecentChanges=true, changes younger than this are served again. */
  stRecentWindowMs?: number;
  ghlRateLimit?: { max: number; intervalMs: number; dailyMax: number };
  /** Signs GHL webhooks (Ed25519 PEM); omitted, a new key pair per start. */
  ghlSigningKeyPem?: string;
  /** Event receivers set up at start: name → the whsec_… secrets it verifies with. */
  receivers?: Record<string, { secrets: string[] }>;
  logLevel?: string;
}

export interface MainConfig {
  port: number;
  host: string;
  options: SandboxOptions;
}

/** `--size=1000` is the same as SANDBOX_SIZE=1000: flags override the environment. */
export function flagsToEnv(argv: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const arg of argv) {
    const match = /^--([a-z0-9-]+)=(.*)$/i.exec(arg);
    if (match?.[1] !== undefined && match[2] !== undefined) env[`SANDBOX_${match[1].toUpperCase().replace(/-/g, '_')}`] = match[2];
  }
  return env;
}

/** Reads env and flags once at boot; a bad value stops the process naming the variable. */
export function loadMainConfig(env: NodeJS.ProcessEnv, argv: readonly string[]): MainConfig {
  const parsed = envSchema.safeParse({ ...env, ...flagsToEnv(argv) });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`invalid sandbox configuration: ${problems}`);
  }
  const e = parsed.data;
  return {
    port: e.SANDBOX_PORT,
    host: e.SANDBOX_HOST,
    options: {
      demo: {
        seed: e.SANDBOX_SEED,
        size: e.SANDBOX_SIZE,
        servicetitan: { tenantId: e.SANDBOX_ST_TENANT_ID, clientId: e.SANDBOX_ST_CLIENT_ID, clientSecret: e.SANDBOX_ST_CLIENT_SECRET, appKey: e.SANDBOX_ST_APP_KEY },
        ghl: { locationId: e.SANDBOX_GHL_LOCATION_ID, token: e.SANDBOX_GHL_TOKEN },
        twilio: {
          accountSid: e.SANDBOX_TWILIO_ACCOUNT_SID,
          authToken: e.SANDBOX_TWILIO_AUTH_TOKEN,
          numbers: [{ phoneNumber: e.SANDBOX_TWILIO_FROM, smsUrl: e.SANDBOX_TWILIO_SMS_URL ?? null }],
        },
      },
      faults: { seed: e.SANDBOX_FAULT_SEED, rules: e.SANDBOX_FAULTS },
      twilioStatusStepMs: e.SANDBOX_TWILIO_STATUS_STEP_MS,
      logLevel: e.SANDBOX_LOG_LEVEL,
      ...(e.SANDBOX_GHL_SIGNING_KEY_FILE ? { ghlSigningKeyPem: readFileSync(e.SANDBOX_GHL_SIGNING_KEY_FILE, 'utf8') } : {}),
      ...(e.SANDBOX_RECEIVER_SECRET_FILE ? { receivers: { demo: { secrets: [readFileSync(e.SANDBOX_RECEIVER_SECRET_FILE, 'utf8').trim()] } } } : {}),
    },
  };
}
