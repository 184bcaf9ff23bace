import { readFileSync } from 'node:fs';

export type Env = Record<string, string | undefined>;

/**
 * Resolves `NAME_FILE` variables (Docker secrets) into `NAME`. Setting both is
 * ambiguous, so it is refused rather than silently preferring one.
 */
export function resolveFileSecrets(env: Env, names: readonly string[]): Env {
  const resolved: Env = { ...env };
  for (const name of names) {
    const file = env[`${name}_FILE`];
    if (file === undefined || file === '') continue;
    if (env[name] !== undefined && env[name] !== '') {
      throw new ConfigError([`${name} and ${name}_FILE are both set; use one`]);
    }
    try {
      resolved[name] = readFileSync(file, 'utf8').trim();
    } catch (err) {
      throw new ConfigError([`${name}_FILE: cannot read ${file} (${(err as Error).message})`]);
    }
  }
  return resolved;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}
