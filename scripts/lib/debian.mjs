// Debian packages the tests need (Chromium, PgBouncer): `npm test` installs them itself
// when it can (Debian, root, apt-get), else says which command to run.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { log, run } from './toolchain.mjs';

export function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function canInstallDebianPackage() {
  const hasAptGet = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' }).status === 0;
  return existsSync('/etc/debian_version') && process.getuid?.() === 0 && hasAptGet;
}

let updated = false;

/** apt-get install of one package (apt-get update once per run first). */
export async function installDebianPackage(name, why) {
  log(`installing Debian's ${name} ${why} (apt-get install ${name})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!updated) await run('apt-get', ['update', '-qq'], { env });
  updated = true;
  await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', name], { env, stdio: ['ignore', 'ignore', 'inherit'] });
}
