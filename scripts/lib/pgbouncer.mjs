// The PgBouncer test (apps/workers/test/pgbouncer.test.ts) runs Debian's pgbouncer: found,
// installed when it can be (see debian.mjs), or named as the command to run.
import { canInstallDebianPackage, executable, installDebianPackage } from './debian.mjs';

const DEBIAN_PATH = '/usr/sbin/pgbouncer';

/** PGBOUNCER_PATH, else Debian's /usr/sbin/pgbouncer, installing the package if it can. */
export async function ensurePgbouncer() {
  const wanted = process.env.PGBOUNCER_PATH ?? DEBIAN_PATH;
  if (executable(wanted)) return wanted;
  if (process.env.PGBOUNCER_PATH || !canInstallDebianPackage()) {
    process.stderr.write(`npm test needs PgBouncer for the pooler test: run \`sudo apt-get install pgbouncer\` (or set PGBOUNCER_PATH)\n`);
    process.exit(1);
  }
  await installDebianPackage('pgbouncer', 'for the PgBouncer test');
  if (!executable(DEBIAN_PATH)) {
    process.stderr.write(`apt-get installed pgbouncer but no executable was found at ${DEBIAN_PATH}\n`);
    process.exit(1);
  }
  return DEBIAN_PATH;
}
