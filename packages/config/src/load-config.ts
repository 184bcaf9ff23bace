import type { z } from 'zod';
import { ConfigError, resolveFileSecrets, type Env } from './read-env.js';
import {
  databaseSchema,
  httpSchema,
  logSchema,
  redisSchema,
  SECRET_NAMES,
  syncSchema,
  tracingSchema,
  vendorSchema,
  webhookSchema,
  workerSchema,
} from './schema.js';

export type Config = {
  database: z.output<typeof databaseSchema>;
  redis: z.output<typeof redisSchema>;
  http: z.output<typeof httpSchema>;
  vendors: z.output<typeof vendorSchema>;
  sync: z.output<typeof syncSchema>;
  worker: z.output<typeof workerSchema>;
  webhooks: z.output<typeof webhookSchema>;
  log: z.output<typeof logSchema>;
  tracing: z.output<typeof tracingSchema>;
};

function parseSection<S extends z.ZodType>(schema: S, env: Env, problems: string[]): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    problems.push(`${issue.path.join('.')}: ${issue.message}`);
  }
  return undefined as z.output<S>;
}

/** Parses the whole configuration, reporting every bad variable at once. */
export function loadConfig(rawEnv: Env = process.env): Config {
  const env = resolveFileSecrets(emptyAsUnset(rawEnv), SECRET_NAMES);
  const problems: string[] = [];
  const config: Config = {
    database: parseSection(databaseSchema, env, problems),
    redis: parseSection(redisSchema, env, problems),
    http: parseSection(httpSchema, env, problems),
    vendors: parseSection(vendorSchema, env, problems),
    sync: parseSection(syncSchema, env, problems),
    worker: parseSection(workerSchema, env, problems),
    webhooks: parseSection(webhookSchema, env, problems),
    log: parseSection(logSchema, env, problems),
    tracing: parseSection(tracingSchema, env, problems),
  };
  if (config.log?.NODE_ENV === 'production' && config.database && !config.database.FIELDHAND_ENCRYPTION_KEY) {
    problems.push('FIELDHAND_ENCRYPTION_KEY: required in production (vendor secrets are encrypted at rest)');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

// `FOO=` in a shell or compose file means "not set", not "the empty string".
function emptyAsUnset(env: Env): Env {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
}

let cached: Config | undefined;

/** The process's configuration, parsed once; a bad variable stops the process. */
export function config(): Config {
  if (cached) return cached;
  try {
    cached = loadConfig();
    return cached;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}
