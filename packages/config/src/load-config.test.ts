import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './index.js';

describe('loadConfig', () => {
  it('applies documented defaults when nothing is set', () => {
    const cfg = loadConfig({});
    expect(cfg.database.DATABASE_URL).toBe('postgres://127.0.0.1:5432/fieldhand');
    expect(cfg.redis.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(cfg.http.PORT).toBe(3000);
    expect(cfg.vendors.TWILIO_API_URL).toBe('https://api.twilio.com');
    expect(cfg.worker.SCHEDULER_OWNER).toBe(false);
  });

  it('names every bad variable in one error', () => {
    try {
      loadConfig({ PORT: 'eighty', REDIS_URL: 'not a url', LOG_LEVEL: 'loud' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const message = (err as Error).message;
      expect(message).toContain('PORT');
      expect(message).toContain('REDIS_URL');
      expect(message).toContain('LOG_LEVEL');
    }
  });

  it('reads a secret from NAME_FILE', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fh-config-'));
    const file = join(dir, 'admin-key');
    writeFileSync(file, 'a-very-long-admin-key-from-a-docker-secret\n');
    const cfg = loadConfig({ FIELDHAND_ADMIN_KEY_FILE: file });
    expect(cfg.http.FIELDHAND_ADMIN_KEY).toBe('a-very-long-admin-key-from-a-docker-secret');
  });

  it('refuses a secret given both directly and as a file', () => {
    expect(() =>
      loadConfig({ TWILIO_AUTH_TOKEN: 'x', TWILIO_AUTH_TOKEN_FILE: '/nonexistent' }),
    ).toThrow(/TWILIO_AUTH_TOKEN and TWILIO_AUTH_TOKEN_FILE/);
  });

  it('names the variable whose file cannot be read', () => {
    expect(() => loadConfig({ DATABASE_URL_FILE: '/nonexistent/db' })).toThrow(/DATABASE_URL_FILE/);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '' }).http.PORT).toBe(3000);
  });
});
