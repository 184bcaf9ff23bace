import type { Command } from 'commander';
import type { ApiClient } from '../api-client.js';
import { printRows, type Output } from '../output.js';

type AuditEntry = { createdAt: string; actor: string; action: string; tenantId: string | null; target: Record<string, unknown>; correlationId: string | null };

/** `fieldhand audit`: operator actions, newest first (admin key). */
export function registerAuditCommand(program: Command, client: () => ApiClient, output: Output): void {
  program
    .command('audit')
    .description('operator actions, newest first: who (key prefix), what, when, correlation id')
    .option('--tenant <tenantId>', 'only actions on this tenant')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'one JSON object per line')
    .action(async (opts: { tenant?: string; limit: string; json?: boolean }) => {
      const max = Number(opts.limit);
      if (!Number.isInteger(max) || max < 1) throw new Error('--limit must be a positive integer');
      const rows: AuditEntry[] = [];
      for await (const row of client().paginate<AuditEntry>('/audit', { tenantId: opts.tenant, limit: String(Math.min(max, 200)) })) {
        rows.push(row);
        if (rows.length >= max) break;
      }
      printRows(output, rows, ['createdAt', 'actor', 'action', 'tenantId', 'target', 'correlationId'], Boolean(opts.json));
    });
}
