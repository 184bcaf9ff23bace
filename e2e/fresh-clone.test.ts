// `npm start` as a new user runs it: from a clone in an empty folder (nothing
// beside it), with no USER in the environment. A SIGTERM while it builds leaves
// nothing running; a full start comes up; so does a production install
// (`pnpm install --prod`) of that build. The clone is of HEAD: commit first.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readlinkSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { createTestRedis, type TestRedis } from '@fieldhand/queues/testing';
import { freePort, newPm2Home, pm2, root, waitFor, waitForExit, waitForReady } from './helpers.js';

let t: TestDatabase;
let redis: TestRedis;
let folder: string;
let clone: string;

beforeAll(async () => {
  t = await createTestDatabase();
  redis = createTestRedis();
  folder = mkdtempSync(join(tmpdir(), 'fh-alone-'));
  clone = join(folder, 'fieldhand');
  execFileSync('git', ['clone', '--quiet', root, clone]);
});
afterAll(async () => {
  await redis.cleanup();
  await t.drop();
  rmSync(folder, { recursive: true, force: true });
});

/** The pinned pnpm, as the repository's scripts run it: the global one if it is that version, else through npx. */
function pnpmCommand(): string[] {
  const pinned = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { packageManager: string }).packageManager.split('@')[1]!;
  try {
    if (execFileSync('pnpm', ['--version'], { encoding: 'utf8' }).trim() === pinned) return ['pnpm'];
  } catch {
    // no global pnpm
  }
  return ['npx', '--yes', `pnpm@${pinned}`];
}

/** Pids of every process whose working directory or command line is inside `dir`. */
function processesIn(dir: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cwd === dir || cwd.startsWith(`${dir}/`) || cmdline.includes(`${dir}/`)) found.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

type Started = { child: ChildProcess; output: () => string; port: number; pm2Home: string };

async function npmStart(extraEnv: Record<string, string> = {}): Promise<Started> {
  const port = await freePort();
  const pm2Home = newPm2Home();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: t.url.replace(/\/\/[^@/]+@/, '//'), // a URL that names no user, as the default does
    REDIS_URL: redis.url,
    QUEUE_PREFIX: redis.prefix,
    PORT: String(port),
    SANDBOX_PORT: String(await freePort()),
    API_INSTANCES: '1',
    PM2_HOME: pm2Home,
    SERVICETITAN_API_URL: '',
    GHL_API_URL: '',
    TWILIO_API_URL: '',
    ...extraEnv,
  };
  delete env['USER'];
  delete env['PGUSER'];
  delete env['FIELDHAND_SKIP_BUILD'];
  const child = spawn('npm', ['start'], { cwd: clone, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  return { child, output: () => output, port, pm2Home };
}

async function upThenStop(started: Started): Promise<void> {
  try {
    await waitForReady(`http://127.0.0.1:${started.port}`, 280_000).catch((err: Error) => {
      throw new Error(`${err.message}\n--- npm start output ---\n${started.output().slice(-4000)}`);
    });
    await waitFor(() => started.output().includes('Fieldhand is up') || undefined, 30_000, 'the summary');
    started.child.kill('SIGTERM');
    const exit = await waitForExit(started.child, 15_000);
    expect(exit, started.output().slice(-3000)).toMatchObject({ code: 0 });
    expect(processesIn(clone)).toEqual([]);
  } finally {
    if (started.child.exitCode === null) started.child.kill('SIGKILL');
    pm2(started.pm2Home, ['kill']);
  }
}

describe('npm start from a clone with nothing beside it, USER unset', () => {
  it('SIGTERM during the build stops every process it started within 15 s, exiting non-zero', async () => {
    const started = await npmStart();
    await waitFor(() => started.output().includes('building (tsc)') || undefined, 120_000, 'the build phase');
    // Let pnpm fan out into tsc before the signal.
    await waitFor(() => processesIn(clone).length >= 3 || undefined, 30_000, 'the build processes');
    started.child.kill('SIGTERM');
    const exit = await waitForExit(started.child, 15_000);
    expect(exit.code).not.toBe(0);
    expect(exit.ms).toBeLessThan(15_000);
    await waitFor(() => processesIn(clone).length === 0 || undefined, 2_000, 'no process left in the clone').catch(() => undefined);
    expect(processesIn(clone)).toEqual([]);
  }, 200_000);

  it('installs, builds, migrates and comes up (/readyz 200), then stops on SIGTERM', async () => {
    await upThenStop(await npmStart());
  }, 340_000);

  it('comes up from a production install of that build (pnpm install --prod)', async () => {
    const [command, ...args] = pnpmCommand();
    // CI=true: pnpm may replace the dev install's node_modules without asking.
    execFileSync(command!, [...args, 'install', '--prod', '--frozen-lockfile'], { cwd: clone, env: { ...process.env, CI: 'true' }, stdio: 'ignore' });
    expect(() => readFileSync(join(clone, 'node_modules/typescript/package.json'))).toThrow();
    await upThenStop(await npmStart());
  }, 340_000);
});
