import { createPublicKey } from 'node:crypto';
import { z } from 'zod';

// One schema per concern; each reads only its own variables.

const url = (fallback: string) => z.url().default(fallback);

// A PEM public key of the given type; `\n` escapes (one-line env values) become newlines.
const publicKeyPem = (type: 'ed25519' | 'rsa') =>
  z
    .string()
    .transform((pem) => pem.replace(/\\n/g, '\n'))
    .refine((pem) => {
      try {
        return createPublicKey(pem).asymmetricKeyType === type;
      } catch {
        return false;
      }
    }, `must be a PEM ${type} public key`);
const optionalSecret = z.string().min(1).optional();

// 32 random bytes, base64 (`openssl rand -base64 32`).
const isEncryptionKey = (text: string) => Buffer.from(text.trim(), 'base64').length === 32;
const encryptionKey = z.string().refine(isEncryptionKey, 'must be 32 bytes, base64-encoded (openssl rand -base64 32)');

export const databaseSchema = z.object({
  DATABASE_URL: url('postgres://127.0.0.1:5432/fieldhand'),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  // Per connection. The API also never lets a statement outlive REQUEST_TIMEOUT_MS. The lock
  // timeout must exceed SMS_SEND_TIMEOUT_MS: a STOP waits for a send at Twilio to finish.
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(1_000).default(120_000),
  DATABASE_LOCK_TIMEOUT_MS: z.coerce.number().int().min(1_000).default(30_000),
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: z.coerce.number().int().min(1_000).default(60_000),
  // Seals vendor secrets (ServiceTitan secret and app key, GHL token, Twilio auth token) at
  // rest. Required in production; rotate by moving it to the previous keys (docs/operations.md).
  FIELDHAND_ENCRYPTION_KEY: encryptionKey.optional(),
  // Comma-separated keys that still open secrets sealed before a rotation.
  FIELDHAND_ENCRYPTION_PREVIOUS_KEYS: z
    .string()
    .optional()
    .transform((v) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : []))
    .refine((keys) => keys.every(isEncryptionKey), 'each key must be 32 bytes, base64-encoded'),
});

// `host:port` (IPv6 in brackets), comma-separated: the seed nodes of a Redis Cluster.
const clusterNodes = /^(?:\[[0-9a-fA-F:]+\]|[^\s,:/@[\]]+):\d{1,5}(?:,(?:\[[0-9a-fA-F:]+\]|[^\s,:/@[\]]+):\d{1,5})*$/;
const CLUSTER_URL = /^(rediss?)\+cluster:\/\/(?:([^@/]*)@)?([^/?#]+)\/?$/;

export const redisSchema = z
  .object({
    // One server (`redis://`, `rediss://`), or a cluster: `redis+cluster://[user:pass@]host:port,host:port`.
    REDIS_URL: z
      .string()
      .default('redis://127.0.0.1:6379')
      .refine((v) => {
        const cluster = CLUSTER_URL.exec(v);
        if (cluster) return clusterNodes.test(cluster[3]!);
        return /^rediss?:\/\//.test(v) && URL.canParse(v);
      }, 'must be redis://host:port, rediss://…, or redis+cluster://host:port,host:port'),
    // Cluster seed nodes instead of a cluster URL; REDIS_URL then only lends its user, password and TLS.
    REDIS_CLUSTER_NODES: z.string().regex(clusterNodes, 'must be host:port,host:port').optional(),
    // Namespaces every BullMQ key; tests use their own so they never touch real queues.
    QUEUE_PREFIX: z.string().regex(/^[a-zA-Z0-9:_-]+$/).default('fieldhand'),
  })
  .refine((env) => !(env.REDIS_CLUSTER_NODES && CLUSTER_URL.test(env.REDIS_URL)), {
    message: 'set the cluster nodes in REDIS_URL or in REDIS_CLUSTER_NODES, not both',
    path: ['REDIS_CLUSTER_NODES'],
  })
  .transform(({ REDIS_CLUSTER_NODES, ...env }) => {
    if (!REDIS_CLUSTER_NODES) return { ...env, REDIS_CLUSTER: CLUSTER_URL.test(env.REDIS_URL) };
    // Every caller connects with REDIS_URL alone: fold the nodes into the cluster form.
    const single = new URL(env.REDIS_URL);
    const auth = single.username || single.password ? `${single.username}${single.password ? `:${single.password}` : ''}@` : '';
    const scheme = single.protocol === 'rediss:' ? 'rediss' : 'redis';
    return { ...env, REDIS_URL: `${scheme}+cluster://${auth}${REDIS_CLUSTER_NODES}`, REDIS_CLUSTER: true };
  });

export const httpSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  PUBLIC_BASE_URL: url('http://127.0.0.1:3000'),
  FIELDHAND_ADMIN_KEY: z.string().min(24, 'must be at least 24 characters').optional(),
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).default(30_000),
  BODY_LIMIT: z.string().default('1mb'),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: z.coerce.number().int().min(1).default(120),
  // How long the webhook receiver reuses a tenant found by its Twilio number; 0 = look it up every time.
  WEBHOOK_TENANT_CACHE_SECONDS: z.coerce.number().int().min(0).default(30),
  CORS_ORIGINS: z
    .string()
    .optional()
    .transform((v) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : [])),
  // Which hops may set X-Forwarded-For (Express "trust proxy"): a hop count, `false`, or
  // addresses/subnets. The default trusts only a proxy on the same host, so a client
  // cannot pick its own IP for per-IP rate limiting.
  TRUST_PROXY: z
    .string()
    .default('loopback')
    .transform((v): boolean | number | string => (v === 'false' ? false : v === 'true' ? true : /^\d+$/.test(v) ? Number(v) : v)),
  // When set, GET /metrics requires `Authorization: Bearer <METRICS_TOKEN>`; unset, it is
  // open for a scraper on a private network.
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  // How long GET /metrics waits for the other PM2 instances' answers; a late one is left out and reported.
  METRICS_SCRAPE_TIMEOUT_MS: z.coerce.number().int().min(50).max(30_000).default(2_000),
});

export const vendorSchema = z.object({
  SERVICETITAN_AUTH_URL: url('https://auth.servicetitan.io'),
  SERVICETITAN_API_URL: url('https://api.servicetitan.io'),
  GHL_API_URL: url('https://services.leadconnectorhq.com'),
  TWILIO_API_URL: url('https://api.twilio.com'),
  TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must look like AC + 32 hex digits').optional(),
  TWILIO_AUTH_TOKEN: optionalSecret,
  // Per sender number (a US long code sends about 1 segment/s); a tenant may override it. 0 = no limit.
  SMS_SEGMENTS_PER_SECOND: z.coerce.number().min(0).default(1),
  // A send that has not answered by then is treated as "maybe sent" and looked up before any retry.
  SMS_SEND_TIMEOUT_MS: z.coerce.number().int().min(1000).default(10_000),
  // ServiceTitan's published limit is 60 requests/s per application; every process of a tenant shares it.
  SERVICETITAN_REQUESTS_PER_SECOND: z.coerce.number().positive().max(1_000).default(60),
  // Verifies `x-ghl-signature` (Ed25519); unset = GHL's published key. PEM, newlines or `\n`.
  GHL_WEBHOOK_PUBLIC_KEY: publicKeyPem('ed25519').optional(),
  // Verifies the legacy `x-wh-signature` (RSA-SHA256), only while GHL_WEBHOOK_ACCEPT_LEGACY is true.
  GHL_WEBHOOK_RSA_PUBLIC_KEY: publicKeyPem('rsa').optional(),
  // GHL deprecated x-wh-signature in July 2026: off unless an old app still sends only it.
  GHL_WEBHOOK_ACCEPT_LEGACY: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});

export const syncSchema = z.object({
  // Default time between incremental passes of a tenant's module (sync_state.interval_seconds overrides).
  SYNC_INTERVAL_SECONDS: z.coerce.number().int().min(10).default(300),
  // A running pass silent this long gets its next-page job enqueued again (a no-op if it still exists).
  SYNC_STALLED_AFTER_SECONDS: z.coerce.number().int().min(30).default(600),
  // GHL never retries a webhook it got a 5xx for and its search shows no deletions: each GHL
  // module is re-read whole this often, catching missed changes and marking deleted records inactive.
  GHL_RECONCILE_INTERVAL_HOURS: z.coerce.number().positive().max(24 * 30).default(24),
});

export const webhookSchema = z.object({
  // Event endpoints on loopback, private, link-local or unspecified addresses are refused at
  // save and at connect time unless this is true (the demo and tests, whose receivers are local).
  // The cloud metadata address stays refused either way.
  WEBHOOK_ALLOW_PRIVATE_URLS: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  // An endpoint must answer 2xx within this long.
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  // Attempts in flight to one endpoint across every events worker; the rest wait, so a slow endpoint cannot take every worker.
  WEBHOOK_ENDPOINT_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(5),
  // Multiplies the retry schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h): tests and the demo shrink it.
  WEBHOOK_RETRY_SCALE: z.coerce.number().positive().max(10).default(1),
  // An endpoint failing without a single success for this long is disabled (3 days).
  WEBHOOK_DISABLE_AFTER_SECONDS: z.coerce.number().positive().default(3 * 24 * 3600),
});

export const workerSchema = z.object({
  // Must stay below PM2's kill_timeout (ecosystem.config.cjs) so active jobs are
  // released for retry before PM2 resorts to SIGKILL.
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  INBOX_RECONCILE_AFTER_SECONDS: z.coerce.number().int().min(1).default(60),
  // A text still queued this long after it was due, with no send job in Redis, gets one again.
  SEND_RECONCILE_AFTER_SECONDS: z.coerce.number().int().min(1).default(60),
  DEAD_LETTER_RETENTION_DAYS: z.coerce.number().int().min(1).default(30),
  // Retention (the daily maintenance.retention job): message bodies blanked (metadata kept),
  // processed inbox rows, evaluated workflow events, sync run history and completed step
  // runs of finished workflow runs deleted after this many days. Opt-outs are never deleted.
  RETENTION_MESSAGE_BODY_DAYS: z.coerce.number().int().min(1).default(400),
  RETENTION_INBOX_DAYS: z.coerce.number().int().min(1).default(30),
  RETENTION_WORKFLOW_EVENTS_DAYS: z.coerce.number().int().min(1).default(90),
  RETENTION_SYNC_RUNS_DAYS: z.coerce.number().int().min(1).default(90),
  RETENTION_STEP_RUNS_DAYS: z.coerce.number().int().min(1).default(180),
  // Delivered event deliveries, then the events none refers to any more (failed ones stay).
  RETENTION_WEBHOOK_DELIVERIES_DAYS: z.coerce.number().int().min(1).default(30),
  // Rows per statement: short statements, short locks, no bloat spike.
  RETENTION_BATCH_SIZE: z.coerce.number().int().min(10).max(100_000).default(5_000),
  // A killed worker's job is retried by another worker once its lock lapses.
  JOB_LOCK_DURATION_MS: z.coerce.number().int().min(1000).default(30_000),
  // A worker whose Redis stays unreachable this long exits so PM2 restarts it clean.
  REDIS_DOWN_EXIT_MS: z.coerce.number().int().min(1000).default(60_000),
  // Per-process /metrics and /healthz for a worker role; unset = no listener.
  METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  // Exactly one process per deployment upserts the job schedulers.
  SCHEDULER_OWNER: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});

// OpenTelemetry's own variable names. Tracing is off unless an OTLP endpoint is set; the
// exporter itself also reads OTEL_EXPORTER_OTLP_HEADERS, _TIMEOUT and _COMPRESSION.
export const tracingSchema = z
  .object({
    OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
    // Used as given; the generic endpoint gets `/v1/traces` appended, as the OTLP spec says.
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url().optional(),
    OTEL_SDK_DISABLED: z.enum(['true', 'false']).default('false'),
    OTEL_SERVICE_NAME: z.string().min(1).optional(),
    // The share of new traces kept (parent-based: a job follows the decision of the request that caused it).
    OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).default(1),
  })
  .transform((env) => {
    const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (env.OTEL_EXPORTER_OTLP_ENDPOINT ? `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces` : undefined);
    return {
      endpoint: env.OTEL_SDK_DISABLED === 'true' ? undefined : endpoint,
      serviceName: env.OTEL_SERVICE_NAME,
      sampleRatio: env.OTEL_TRACES_SAMPLER_ARG,
    };
  });

export const logSchema = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
});

export const SECRET_NAMES = ['DATABASE_URL', 'REDIS_URL', 'FIELDHAND_ADMIN_KEY', 'TWILIO_AUTH_TOKEN', 'METRICS_TOKEN', 'FIELDHAND_ENCRYPTION_KEY', 'FIELDHAND_ENCRYPTION_PREVIOUS_KEYS'] as const;
