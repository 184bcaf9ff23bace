import type { Command } from 'commander';
import type { ApiClient } from '../api-client.js';
import { printRows, type Output } from '../output.js';

type Pipeline = { id: string; name: string | null; stages: Array<{ id: string; name: string | null; position: number | null }>; syncedAt: string };

/** `fieldhand ghl …`: what the GoHighLevel mirror holds for a tenant. */
export function registerGhlCommands(program: Command, client: () => ApiClient, output: Output): void {
  const ghl = program.command('ghl').description('GoHighLevel: pipelines of the synced location');

  ghl
    .command('pipelines <tenantId>')
    .description('pipelines and their stages, as last synced (run `sync start <tenantId> --source ghl` first)')
    .option('--json', 'one JSON object per pipeline')
    .action(async (tenantId: string, opts: { json?: boolean }) => {
      const result = await client().request<{ connected: boolean; pipelines: Pipeline[] }>('GET', `/tenants/${tenantId}/ghl/pipelines`);
      if (!result.connected) throw new Error(`tenant ${tenantId} has no GHL location; PATCH its ghl credentials first`);
      if (opts.json) return printRows(output, result.pipelines, [], true);
      if (result.pipelines.length === 0) return output.out('no pipelines synced yet; run `fieldhand sync start <tenantId> --source ghl --wait`');
      const rows = result.pipelines.map((p) => ({ id: p.id, name: p.name, stages: p.stages.map((s) => s.name ?? s.id).join(' → '), syncedAt: p.syncedAt }));
      printRows(output, rows, ['id', 'name', 'stages', 'syncedAt'], false);
    });
}
