// The README's `npm start`, as a user runs it: everything comes up under PM2 in
// the foreground, and one SIGTERM stops every process with exit code 0.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { createTestRedis, type TestRedis } from '@fieldhand/queues/testing';
import { expectedApps, freePort, isAlive, newPm2Home, pm2List, root, spawnNpmStart, waitFor, waitForExit, waitForReady } from './helpers.js';

let t: TestDatabase;
let redis: TestRedis;

beforeAll(async () => {
  t = await createTestDatabase();
  redis = createTestRedis();
});
afterAll(async () => {
  await redis.cleanup();
  await t.drop();
});

describe('npm start', () => {
  it('brings up the demo (API, worker roles, sandbox) and stops cleanly on SIGTERM within 15 s', async () => {
    const pm2Home = newPm2Home();
    const port = await freePort();
    const sandboxPort = await freePort();
    const started = Date.now();
    const npm = spawnNpmStart({ databaseUrl: t.url, redisUrl: redis.url, prefix: redis.prefix, port, sandboxPort, pm2Home, adminKey: 'start-test-admin-key-0123456789', extra: { API_INSTANCES: '2' } });
    const child = npm.child;
    const appPids: number[] = [];
    try {
      await waitForReady(`http://127.0.0.1:${port}`, 110_000).catch((err: Error) => {
        throw new Error(`${err.message}\n--- npm start output ---\n${npm.output().slice(-4000)}`);
      });
      expect(Date.now() - started).toBeLessThan(120_000);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      // /readyz answers as soon as the first API instance listens; PM2 starts the rest after it.
      const expected = expectedApps(true, { API_INSTANCES: '2' });
      const procs = await waitFor(() => {
        const list = pm2List(pm2Home);
        return list.length === expected.length && list.every((p) => p.status === 'online') ? list : undefined;
      }, 30_000, 'every PM2 app online');
      const online = procs.map((p) => p.name).sort();
      expect(online).toEqual(expected);
      expect(online.filter((n) => n === 'fieldhand-api')).toHaveLength(2);
      expect(online).toContain('fieldhand-worker-maintenance');
      expect(online).toContain('fieldhand-sandbox');
      const pids = procs.map((p) => p.pid);
      appPids.push(...pids);
      // The foreground is a summary plus warnings and errors; routine logs go to PM2's files.
      await waitFor(() => npm.output().includes('Fieldhand is up') || undefined, 30_000, 'the summary');
      expect(npm.output()).toMatch(/up {4}fieldhand-api ×2/);
      expect(npm.output()).not.toContain('"level":"info"');
      expect(npm.output()).toContain('no vendor is configured: starting the demo (FIELDHAND_DEMO=1)');

      child.kill('SIGTERM');
      const exit = await waitForExit(child, 15_000);
      expect(exit, npm.output().slice(-3000)).toMatchObject({ code: 0 });
      for (const pid of pids) expect(isAlive(pid), `pid ${pid} still running`).toBe(false);
    } finally {
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        // PM2 runs inside npm start; its apps outlive a SIGKILLed parent.
        for (const pid of appPids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
      }
    }
  }, 180_000);
});

describe('npm start and the demo', () => {
  it('refuses FIELDHAND_DEMO=1 beside real vendor credentials, before touching anything', async () => {
    const child = spawn('npm', ['start'], {
      cwd: root,
      env: { ...process.env, FIELDHAND_SKIP_BUILD: '1', FIELDHAND_DEMO: '1', TWILIO_ACCOUNT_SID: `AC${'7'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'a-real-production-token', DATABASE_URL: 'postgres://127.0.0.1:1/none' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exit = await waitForExit(child, 30_000);
    expect(exit.code, output).toBe(78);
    expect(output).toContain('FIELDHAND_DEMO=1 refuses to run beside real vendor settings (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN)');
    expect(output).not.toContain('a-real-production-token');
  }, 60_000);
});
