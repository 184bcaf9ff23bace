// Each mechanism has one home: every query lives in the data package, and every job
// payload is built and checked by the job catalog in the queues package.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

/** Production sources of every app and package (tests, benches and scripts may look at tables directly). */
const production = ['apps', 'packages'].flatMap((group) =>
  readdirSync(join(root, group)).flatMap((name) => {
    const src = join(root, group, name, 'src');
    try {
      return sourceFiles(src).map((path) => ({ path: relative(root, path), text: readFileSync(path, 'utf8') }));
    } catch {
      return [];
    }
  }),
);

const offenders = (files: typeof production, pattern: RegExp) => files.filter((f) => pattern.test(f.text)).map((f) => f.path);

describe('data access', () => {
  const outsideDb = production.filter((f) => !f.path.startsWith('packages/db/'));

  it('has its sources to look at', () => {
    expect(outsideDb.length).toBeGreaterThan(100);
  });

  it('runs no SQL outside packages/db', () => {
    // A value import of drizzle-orm (sql, eq, and, ...) or pg, or a query builder call on a handle.
    expect(offenders(outsideDb, /^import (?!type )[^;]*from '(drizzle-orm|pg)(\/[^']*)?';/m)).toEqual([]);
    expect(offenders(outsideDb, /\b(db|tx|deps\.db|executor)\.(select|selectDistinct|insert|update|delete|execute)\(/)).toEqual([]);
    expect(offenders(outsideDb, /\bsql`/)).toEqual([]);
  });
});

describe('job payloads', () => {
  const outsideQueues = production.filter((f) => !f.path.startsWith('packages/queues/'));

  it('are enqueued only through the catalog', () => {
    // JobBus.enqueue validates against the catalog; the raw adders and BullMQ's Queue are the queues package's own.
    expect(offenders(outsideQueues, /\bnew Queue\(|\b(bus|queue)\.(add|addBulk)\(|\.queue\([^)]*\)\.(add|addBulk)\(|upsertJobScheduler\(/)).toEqual([]);
  });

  it('are never assembled in SQL', () => {
    expect(offenders(production, /jsonb_build_object/)).toEqual([]);
  });
});
