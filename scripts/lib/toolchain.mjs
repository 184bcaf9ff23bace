// Zero-dependency helpers shared by the start, test and migrate commands: they
// must run on a fresh clone before anything is installed.
//
// Every child (pnpm, tsc, vitest) runs in a process group of its own, and
// SIGINT/SIGTERM to us stops that whole group before we exit: a signal during
// an install or a build leaves nothing running.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const pnpmVersion = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager.split('@')[1];

export function log(message) {
  process.stdout.write(`\x1b[36m[fieldhand]\x1b[0m ${message}\n`);
}

const children = new Set();
const stopHooks = [];
let stopSignal = null;

/** The signal that asked us to stop, or null. */
export function stopRequested() {
  return stopSignal;
}

/**
 * Runs `hook(signal)` when SIGINT or SIGTERM arrives, after the running child's
 * process group has been stopped. Hooks run once, newest first; a hook that
 * returns a number sets the exit code (else 130 or 143, as a signalled process).
 */
export function onStop(hook) {
  stopHooks.unshift(hook);
}

async function stop(signal) {
  if (stopSignal) return;
  stopSignal = signal;
  const exits = [...children].map((child) => stopGroup(child, signal));
  await Promise.all(exits);
  let code = 128 + (signal === 'SIGINT' ? 2 : 15);
  for (const hook of stopHooks) {
    const chosen = await hook(signal);
    if (typeof chosen === 'number') code = chosen;
  }
  process.exit(code);
}

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => void stop(signal));

/** Signals a child's whole process group; SIGKILLs it if it is still there after 5 s. */
function stopGroup(child, signal) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const kill = (sig) => {
      try {
        process.kill(-child.pid, sig);
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      // Grandchildren that ignored the signal go with the group.
      kill('SIGKILL');
      resolve();
    });
    kill(signal);
  });
}

/** Runs a command to completion; a non-zero exit ends this process with its code. */
export function run(command, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit', detached: true, ...options });
    children.add(child);
    child.once('error', (err) => {
      process.stderr.write(`\n${command}: ${err.message}\n`);
      process.exit(1);
    });
    child.once('exit', (code, signal) => {
      children.delete(child);
      if (stopSignal) return; // stop() exits once the group is gone
      if (code === 0) return resolve();
      process.stderr.write(`\n${command} ${args.join(' ')} failed (exit ${code ?? signal})\n`);
      process.exit(code ?? 1);
    });
  });
}

/** The pinned pnpm: the global one if it is that version, else fetched by npx. */
export function pnpm(args, options) {
  const global = spawnSync('pnpm', ['--version'], { encoding: 'utf8' });
  if (global.status === 0 && global.stdout.trim() === pnpmVersion) return run('pnpm', args, options);
  return run('npx', ['--yes', `pnpm@${pnpmVersion}`, ...args], options);
}

/** Installs dependencies when node_modules is missing or older than the lockfile. */
export async function ensureInstalled() {
  const marker = join(root, 'node_modules', '.modules.yaml');
  const lock = join(root, 'pnpm-lock.yaml');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  log('installing dependencies (pnpm install --frozen-lockfile)');
  await pnpm(['install', '--frozen-lockfile']);
}

/** True when the TypeScript compiler is installed (a development install). */
export function canBuild() {
  return existsSync(join(root, 'node_modules', 'typescript', 'package.json'));
}

export async function build() {
  log('building (tsc)');
  await pnpm(['run', '--silent', 'build']);
}

/**
 * Builds when the compiler is there; a production install (`pnpm install --prod`)
 * has none and runs what an earlier build left, so it must be there.
 */
export async function buildIfPossible() {
  if (process.env.FIELDHAND_SKIP_BUILD !== '1' && canBuild()) return build();
  const missing = ['apps/api/dist/main.js', 'apps/workers/dist/sms.js', 'packages/db/dist/index.js'].filter((file) => !existsSync(join(root, file)));
  if (missing.length > 0) {
    process.stderr.write(`no build output (${missing.join(', ')}): run \`pnpm install && pnpm build\` first\n`);
    process.exit(1);
  }
}
