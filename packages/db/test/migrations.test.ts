import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationStatus, MIGRATIONS_FOLDER, runMigrations } from '../src/index.js';
import { createTestDatabase, type TestDatabase } from '../src/testing.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('migrations', () => {
  it('match the schema: generating again yields no new migration', () => {
    // drizzle-kit only handles an output folder relative to its config.
    const out = mkdtempSync(join(packageDir, '.drift-check-'));
    cpSync(MIGRATIONS_FOLDER, out, { recursive: true });
    const before = readdirSync(out).sort();
    const log = execFileSync('pnpm', ['exec', 'drizzle-kit', 'generate'], {
      cwd: packageDir,
      env: { ...process.env, DRIZZLE_OUT: relative(packageDir, out) },
      encoding: 'utf8',
    });
    try {
      expect(log).toContain('No schema changes');
      expect(readdirSync(out).sort(), log).toEqual(before);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);

  describe('against a real database', () => {
    let t: TestDatabase;
    beforeAll(async () => {
      t = await createTestDatabase();
    });
    afterAll(async () => t.drop());

    it('are all applied, and applying again changes nothing', async () => {
      const status = await migrationStatus(t.db);
      expect(status.applied).toBe(status.expected);
      expect(status.expected).toBeGreaterThan(0);
      await Promise.all([runMigrations(t.db), runMigrations(t.db)]);
      expect(await migrationStatus(t.db)).toEqual(status);
    });
  });
});
