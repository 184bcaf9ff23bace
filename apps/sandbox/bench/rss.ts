/**
 * Generates a 1,000,000-record ServiceTitan dataset and serves all of it through the
 * export endpoints over HTTP, then prints the peak RSS. Target: under 500 MB.
 * Run: pnpm exec tsx apps/sandbox/bench/rss.ts [--records=1000000]
 * The client runs in the same process, so the figure includes its JSON parsing too.
 */
import { createSandbox } from '../src/index.js';
import { RECORDS_PER_CUSTOMER, ST_RESOURCES, ST_ROUTES } from '../src/servicetitan/st-resources.js';

const TARGET_MB = 500;
const recordsArg = process.argv.find((arg) => arg.startsWith('--records='));
const targetRecords = recordsArg ? Number(recordsArg.split('=')[1]) : 1_000_000;
const size = Math.ceil(targetRecords / RECORDS_PER_CUSTOMER);

const sandbox = createSandbox({
  logLevel: 'warn',
  demo: { seed: 1, size, servicetitan: { tenantId: 1_000_001, clientId: 'bench', clientSecret: 'bench', appKey: 'bench' } },
});
const running = await sandbox.listen(0);
let peakSampled = 0;
const sampler = setInterval(() => {
  peakSampled = Math.max(peakSampled, process.memoryUsage.rss());
}, 50);

const tokenResponse = await fetch(`${running.url}/servicetitan/auth/connect/token`, {
  method: 'POST',
  body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'bench', client_secret: 'bench' }),
});
const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
const headers = { Authorization: `Bearer ${token}`, 'ST-App-Key': 'bench' };

const started = Date.now();
let total = 0;
for (const resource of ST_RESOURCES) {
  const { module, path } = ST_ROUTES[resource];
  let from = '';
  let count = 0;
  for (;;) {
    const url = `${running.url}/servicetitan/api/${module}/v2/tenant/1000001/export/${path}${from ? `?from=${encodeURIComponent(from)}` : ''}`;
    const response = await fetch(url, { headers });
    if (response.status !== 200) throw new Error(`${url} → ${response.status}`);
    const page = (await response.json()) as { hasMore: boolean; continueFrom: string; data: unknown[] };
    count += page.data.length;
    from = page.continueFrom;
    if (!page.hasMore) break;
  }
  total += count;
  console.log(`${resource.padEnd(24)} ${String(count).padStart(9)} records`);
}
clearInterval(sampler);
await running.close();

const peakMb = Math.max(peakSampled, process.resourceUsage().maxRSS * 1_024) / 1_048_576;
console.log(`served ${total.toLocaleString('en-US')} records in ${((Date.now() - started) / 1_000).toFixed(1)} s`);
console.log(`peak RSS ${peakMb.toFixed(0)} MB (target < ${TARGET_MB} MB) → ${peakMb < TARGET_MB ? 'PASS' : 'FAIL'}`);
process.exitCode = peakMb < TARGET_MB ? 0 : 1;
