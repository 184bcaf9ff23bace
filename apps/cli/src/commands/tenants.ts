import type { Command } from 'commander';
import type { ApiClient } from '../api-client.js';
import { printRows, type Output } from '../output.js';

type Tenant = { id: string; name: string; timezone: string; createdAt: string };

export function registerTenantCommands(program: Command, client: () => ApiClient, output: Output): void {
  const tenants = program.command('tenants').description('list and create tenants (admin key)');

  tenants
    .command('list')
    .option('--json', 'one JSON object per line')
    .action(async (opts: { json?: boolean }) => {
      const rows: Tenant[] = [];
      for await (const row of client().paginate<Tenant>('/tenants', { limit: '200' })) rows.push(row);
      printRows(output, rows, ['id', 'name', 'timezone', 'createdAt'], Boolean(opts.json));
    });

  tenants
    .command('create <name>')
    .requiredOption('--timezone <zone>', 'IANA time zone, e.g. America/Chicago')
    .action(async (name: string, opts: { timezone: string }) => {
      const created = await client().request<Tenant>('POST', '/tenants', { name, timezone: opts.timezone });
      output.out(created.id);
    });

  tenants
    .command('create-key <tenantId>')
    .requiredOption('--name <name>', 'what the key is for')
    .description('create an API key for a tenant; it is printed once')
    .action(async (tenantId: string, opts: { name: string }) => {
      const key = await client().request<{ key: string }>('POST', `/tenants/${tenantId}/api-keys`, { name: opts.name });
      output.out(key.key);
    });
}
