import { setTimeout as sleep } from 'node:timers/promises';
import { MultiBar, Presets } from 'cli-progress';
import type { Command } from 'commander';
import type { ApiClient } from '../api-client.js';
import { printRows, processOutput, type Output } from '../output.js';

type ModuleStatus = { source: string; module: string; state: string; records: number; currentPage: number | null; cursorAgeSeconds: number | null; lastSuccessAt: string | null; lastError: string | null; lastErrorAt: string | null };
type Status = { sources: Array<{ source: string; configured: boolean }>; modules: ModuleStatus[] };

const statusPath = (tenantId: string, source?: string) => `/tenants/${tenantId}/sync${source ? `?source=${encodeURIComponent(source)}` : ''}`;
const moduleKey = (m: { source: string; module: string }) => `${m.source}/${m.module}`;

export function registerSyncCommands(program: Command, client: () => ApiClient, output: Output): void {
  const sync = program.command('sync').description('start and watch sync passes (ServiceTitan and any other registered source)');

  sync
    .command('status <tenantId>')
    .option('--source <name>', 'only this source (default: all)')
    .option('--json', 'one JSON object per line')
    .action(async (tenantId: string, opts: { source?: string; json?: boolean }) => {
      const status = await client().request<Status>('GET', statusPath(tenantId, opts.source));
      printRows(output, status.modules, ['source', 'module', 'state', 'records', 'currentPage', 'cursorAgeSeconds', 'lastSuccessAt', 'lastError'], Boolean(opts.json));
    });

  sync
    .command('start <tenantId>')
    .option('--source <name>', 'the source to sync (default: every source the tenant is set up for)')
    .option('--modules <list>', 'comma-separated modules of the source (default: all)')
    .option('--full', 're-read from the beginning (nothing is deleted)')
    .option('--wait', 'show progress until every module is idle')
    .option('--poll <ms>', 'progress poll interval', '1000')
    .action(async (tenantId: string, opts: { source?: string; modules?: string; full?: boolean; wait?: boolean; poll: string }) => {
      const modules = opts.modules?.split(',').map((m) => m.trim()).filter(Boolean);
      const sources = opts.source ? [opts.source] : (await client().request<Status>('GET', statusPath(tenantId))).sources.filter((s) => s.configured).map((s) => s.source);
      if (sources.length === 0) throw new Error(`tenant ${tenantId} is set up for no sync source; PATCH its credentials first`);
      if (modules && sources.length > 1) throw new Error(`--modules needs --source: the tenant has ${sources.join(', ')}`);
      const started: Array<{ source: string; module: string }> = [];
      // A module counts as done once it succeeded since now (a small pass may finish before the first poll).
      const startedAt = Date.now();
      for (const source of sources) {
        const pass = await client().request<{ jobId: string; source: string; modules: string[] }>('POST', `/tenants/${tenantId}/sync`, {
          source,
          full: Boolean(opts.full),
          ...(modules ? { modules } : {}),
        });
        output.out(`${pass.source} sync started (job ${pass.jobId}) for ${pass.modules.join(', ')}`);
        started.push(...pass.modules.map((module) => ({ source: pass.source, module })));
      }
      if (opts.wait) await watch(client(), tenantId, started, startedAt, Number(opts.poll), output);
    });
}

type Progress = { update: (key: string, state: string, page: number | string, records: number, done: boolean) => void; stop: () => void };

/** One progress bar per module on a terminal. */
function progressBars(keys: string[]): Progress {
  const bars = new MultiBar(
    { format: '{name} |{bar}| {state} page {page} · {records} records', hideCursor: true, clearOnComplete: false, stream: process.stderr, noTTYOutput: false },
    Presets.shades_classic,
  );
  const byModule = new Map(keys.map((key) => [key, bars.create(1, 0, { name: key.padEnd(36), state: 'queued', page: 0, records: 0 })]));
  return {
    update: (key, state, page, records, done) => byModule.get(key)?.update(done ? 1 : 0, { name: key.padEnd(36), state, page, records }),
    stop: () => bars.stop(),
  };
}

/** Scripts and logs get a plain line whenever a module's state or page changes. */
function progressLines(output: Output): Progress {
  const last = new Map<string, string>();
  return {
    update: (key, state, page, records, done) => {
      const line = done ? `${key}: done · ${records} records` : `${key}: ${state} page ${page} · ${records} records`;
      if (last.get(key) === line) return;
      last.set(key, line);
      output.out(line);
    },
    stop: () => undefined,
  };
}

/** Polls the status endpoint, showing each module's progress (records mirrored, pages applied). */
async function watch(client: ApiClient, tenantId: string, modules: Array<{ source: string; module: string }>, startedAt: number, pollMs: number, output: Output): Promise<void> {
  const keys = modules.map(moduleKey);
  const progress = output === processOutput && process.stderr.isTTY ? progressBars(keys) : progressLines(output);
  const byModule = new Set(keys);
  try {
    for (;;) {
      const status = await client.request<Status>('GET', statusPath(tenantId));
      const mine = status.modules.filter((m) => byModule.has(moduleKey(m)));
      for (const m of mine) {
        const done = m.state === 'idle' && m.lastSuccessAt !== null && Date.parse(m.lastSuccessAt) >= startedAt - 1_000;
        progress.update(moduleKey(m), done ? 'done' : m.state, m.currentPage ?? '-', m.records, done);
      }
      const failed = mine.filter((m) => m.lastErrorAt && Date.parse(m.lastErrorAt) >= startedAt - 1_000);
      if (mine.every((m) => m.state === 'idle' && m.lastSuccessAt && Date.parse(m.lastSuccessAt) >= startedAt - 1_000)) break;
      if (failed.length > 0 && mine.every((m) => m.state !== 'running')) {
        progress.stop();
        throw new Error(`sync failed: ${failed.map((m) => `${moduleKey(m)}: ${m.lastError}`).join('; ')}`);
      }
      await sleep(pollMs);
    }
  } finally {
    progress.stop();
  }
  output.out('sync finished');
}
