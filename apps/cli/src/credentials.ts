import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Env = Record<string, string | undefined>;

/**
 * The key the CLI uses: FIELDHAND_API_KEY, else the admin key (env or file),
 * else the key `npm start` generated for the demo in .fieldhand/admin-key.
 */
export function resolveApiKey(env: Env, cwd: string): string | undefined {
  if (env.FIELDHAND_API_KEY) return env.FIELDHAND_API_KEY;
  if (env.FIELDHAND_ADMIN_KEY) return env.FIELDHAND_ADMIN_KEY;
  const file = env.FIELDHAND_ADMIN_KEY_FILE ?? join(cwd, '.fieldhand', 'admin-key');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}
