// `npm test`: checks for a Chromium and PgBouncer (installing Debian's when it can), installs if
// needed, builds (end-to-end tests run the compiled processes under PM2, as
// production does), then runs every test.
import { ensureChromium } from './lib/chromium.mjs';
import { ensurePgbouncer } from './lib/pgbouncer.mjs';
import { build, ensureInstalled, log, pnpm } from './lib/toolchain.mjs';

const chromium = await ensureChromium();
log(`browser tests use ${chromium}`);
const pgbouncer = await ensurePgbouncer();
await ensureInstalled();
await build();
await pnpm(['exec', 'vitest', 'run', ...process.argv.slice(2)], { env: { ...process.env, CHROMIUM_PATH: chromium, PGBOUNCER_PATH: pgbouncer } });
