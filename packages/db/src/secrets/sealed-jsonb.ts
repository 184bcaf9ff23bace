import { customType } from 'drizzle-orm/pg-core';
import { openSecret, sealSecret } from './secret-box.js';

/**
 * A jsonb column whose named string fields are sealed (secret-box.ts) on the way in
 * and opened on the way out: callers read and write plain objects, PostgreSQL (and
 * every dump of it) holds only ciphertext for those fields. The other fields stay
 * plain jsonb, so lookups such as `twilio->>'from'` keep working.
 */
export function sealedJsonb<T extends object>(column: string, secretFields: readonly (keyof T & string)[]) {
  const fieldName = (field: string) => `${column}.${field}`;
  return customType<{ data: T; driverData: unknown }>({
    dataType: () => 'jsonb',
    toDriver: (value) => {
      const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
      for (const field of secretFields) if (typeof out[field] === 'string') out[field] = sealSecret(out[field], fieldName(field));
      return JSON.stringify(out);
    },
    fromDriver: (value) => {
      const stored = (typeof value === 'string' ? JSON.parse(value) : value) as Record<string, unknown>;
      const out: Record<string, unknown> = { ...stored };
      for (const field of secretFields) if (typeof out[field] === 'string') out[field] = openSecret(out[field], fieldName(field));
      return out as T;
    },
  })(column);
}
