// `npm test`: installs if needed, builds (end-to-end tests run the compiled
// processes under PM2, as production does), then runs every test.
import { build, ensureInstalled, pnpm } from './lib/toolchain.mjs';

ensureInstalled();
build();
pnpm(['exec', 'vitest', 'run', ...process.argv.slice(2)]);
