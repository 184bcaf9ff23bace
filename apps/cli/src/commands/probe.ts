import type { Command } from 'commander';
import type { ApiClient } from '../api-client.js';
import type { Output } from '../output.js';

export function registerProbeCommand(program: Command, client: () => ApiClient, output: Output): void {
  program
    .command('probe')
    .description('enqueue a probe job to check that workers consume end to end')
    .option('--id <probeId>', 'label returned by the job', `cli-${Date.now()}`)
    .option('--duration <ms>', 'how long the job runs', '0')
    .action(async (opts: { id: string; duration: string }) => {
      const { jobId } = await client().request<{ jobId: string }>('POST', '/maintenance/probe', { probeId: opts.id, durationMs: Number(opts.duration) });
      output.out(`probe ${opts.id} enqueued as job ${jobId}`);
    });
}

export function registerKeysCommand(program: Command, client: () => ApiClient, output: Output): void {
  const keys = program.command('keys').description('encryption keys of vendor secrets at rest');
  keys
    .command('rotate-encryption')
    .description("seal every tenant's vendor secrets with the current FIELDHAND_ENCRYPTION_KEY (see docs/operations.md)")
    .action(async () => {
      const done = await client().request<{ keyId: string; rows: number; secretsByKey: Record<string, number> }>('POST', '/maintenance/rotate-encryption');
      output.out(`sealed ${done.rows} tenant rows with key ${done.keyId}; secrets by key now: ${JSON.stringify(done.secretsByKey)}`);
    });
}
