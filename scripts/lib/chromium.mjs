// The browser tests drive Debian's Chromium through playwright-core; nothing ever
// downloads a browser build. `npm test` finds one, installs Debian's package when
// it can (Debian, root, apt-get), or stops at once naming the command to run.
import { spawnSync } from 'node:child_process';
import { canInstallDebianPackage, executable, installDebianPackage } from './debian.mjs';

const DEBIAN_PATH = '/usr/bin/chromium';

/** CHROMIUM_PATH, else /usr/bin/chromium, else `chromium` on PATH; null when there is none. */
export function findChromium(env = process.env) {
  if (env.CHROMIUM_PATH) return executable(env.CHROMIUM_PATH) ? env.CHROMIUM_PATH : null;
  if (executable(DEBIAN_PATH)) return DEBIAN_PATH;
  const found = spawnSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' });
  return found.status === 0 && found.stdout.trim() ? found.stdout.trim() : null;
}

/** Returns the Chromium to use, installing Debian's package if that is possible. */
export async function ensureChromium() {
  const found = findChromium();
  if (found) return found;
  if (process.env.CHROMIUM_PATH) {
    process.stderr.write(`CHROMIUM_PATH=${process.env.CHROMIUM_PATH} is not an executable: point it at a Chromium, or unset it\n`);
    process.exit(1);
  }
  if (!canInstallDebianPackage()) {
    process.stderr.write('npm test needs Chromium for the browser tests: run `sudo apt-get install chromium` (or set CHROMIUM_PATH to a Chromium)\n');
    process.exit(1);
  }
  await installDebianPackage('chromium', 'for the browser tests');
  const installed = findChromium();
  if (!installed) {
    process.stderr.write('apt-get installed chromium but no executable was found at /usr/bin/chromium\n');
    process.exit(1);
  }
  return installed;
}
