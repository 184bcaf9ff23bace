import { setTimeout as sleep } from 'node:timers/promises';
import { MultiBar, Presets } from 'cli-progress';
import type { Command } from 'commander';
import type { ApiClient } from '../api-client.js';
import { printRows, type Output } from '../output.js';

type ModuleStatus = { module: string; state: string; records: number; currentPage: number | null; cursorAgeSeconds: number | null; lastSuccessAt: string | null; lastError: string | null; lastErrorAt: string | null };
type Status = { modules: ModuleStatus[] };

export function registerSyncCommands(program: Command, client: () => ApiClient, output: Output): void {
  const sync = program.command('sync').description('start and watch ServiceTitan sync passes');

  sync
    .command('status <tenantId>')
    .option('--json', 'one JSON object per line')
    .action(async (tenantId: string, opts: { json?: boolean }) => {
      const status = await client().request<Status>('GET', `/tenants/${tenantId}/sync`);
      printRows(output, status.modules, ['module', 'state', 'records', 'currentPage', 'cursorAgeSeconds', 'lastSuccessAt', 'lastError'], Boolean(opts.json));
    });

  sync
    .command('start <tenantId>')
    .option('--modules <list>', 'comma-separated modules (default: all)')
    .option('--full', 're-read from the beginning (nothing is deleted)')
    .option('--wait', 'show progress until every module is idle')
    .option('--poll <ms>', 'progress poll interval', '1000')
    .action(async (tenantId: string, opts: { modules?: string; full?: boolean; wait?: boolean; poll: string }) => {
      const modules = opts.modules?.split(',').map((m) => m.trim()).filter(Boolean);
      const started = await client().request<{ jobId: string; modules: string[] }>('POST', `/tenants/${tenantId}/sync`, {
        source: 'servicetitan',
        full: Boolean(opts.full),
        ...(modules ? { modules } : {}),
      });
      output.out(`sync started (job ${started.jobId}) for ${started.modules.join(', ')}`);
      if (opts.wait) await watch(client(), tenantId, started.modules, Number(opts.poll), output);
    });
}

/** Polls the status endpoint with one progress bar per module (records mirrored, pages applied). */
async function watch(client: ApiClient, tenantId: string, modules: string[], pollMs: number, output: Output): Promise<void> {
  // Bars go to a terminal only; scripts and logs get the final line.
  const bars = new MultiBar(
    { format: '{name} |{bar}| {state} page {page} · {records} records', hideCursor: true, clearOnComplete: false, stream: process.stderr, noTTYOutput: false },
    Presets.shades_classic,
  );
  const byModule = new Map(modules.map((m) => [m, bars.create(1, 0, { name: m.padEnd(24), state: 'queued', page: 0, records: 0 })]));
  // Wait until the pass has been picked up before treating "idle" as finished.
  const startedAt = Date.now();
  try {
    for (;;) {
      const status = await client.request<Status>('GET', `/tenants/${tenantId}/sync`);
      const mine = status.modules.filter((m) => byModule.has(m.module));
      for (const m of mine) {
        const done = m.state === 'idle' && m.lastSuccessAt !== null && Date.parse(m.lastSuccessAt) >= startedAt - 1_000;
        byModule.get(m.module)!.update(done ? 1 : 0, { name: m.module.padEnd(24), state: done ? 'done' : m.state, page: m.currentPage ?? '-', records: m.records });
      }
      const failed = mine.filter((m) => m.lastErrorAt && Date.parse(m.lastErrorAt) >= startedAt - 1_000);
      if (mine.every((m) => m.state === 'idle' && m.lastSuccessAt && Date.parse(m.lastSuccessAt) >= startedAt - 1_000)) break;
      if (failed.length > 0 && mine.every((m) => m.state !== 'running')) {
        bars.stop();
        throw new Error(`sync failed: ${failed.map((m) => `${m.module}: ${m.lastError}`).join('; ')}`);
      }
      await sleep(pollMs);
    }
  } finally {
    bars.stop();
  }
  output.out('sync finished');
}
