import type { Command } from 'commander';
import type { ApiClient } from '../api-client.js';
import type { Output } from '../output.js';

type Erased = { phone: string; erasedAt: string; changed: Record<string, number>; consent: { optedOut: boolean } | null };

const person = (tenantId: string, phone: string) => `/tenants/${tenantId}/people/${encodeURIComponent(phone)}`;

/** `fieldhand people …`: a customer's data request, by phone number. */
export function registerPeopleCommands(program: Command, client: () => ApiClient, output: Output): void {
  const people = program.command('people').description("customer data requests: export or erase one phone number's data");

  people
    .command('export <tenantId> <phone>')
    .description('everything the tenant holds about the number, as JSON')
    .action(async (tenantId: string, phone: string) => {
      output.out(JSON.stringify(await client().request('GET', `${person(tenantId, phone)}/export`), null, 2));
    });

  people
    .command('erase <tenantId> <phone>')
    .description('blank the texts and personal fields of the number (the opt-out is kept); needs --yes')
    .option('--yes', 'really erase: this cannot be undone')
    .action(async (tenantId: string, phone: string, opts: { yes?: boolean }) => {
      // Nothing is sent without --yes: an erase cannot be undone.
      if (!opts.yes) throw new Error('erasing cannot be undone: repeat with --yes (export first with `fieldhand people export`)');
      const erased = await client().request<Erased>('DELETE', person(tenantId, phone));
      const tables = Object.entries(erased.changed);
      output.out(`${erased.phone} erased at ${erased.erasedAt}: ${tables.length === 0 ? 'nothing held' : tables.map(([t, n]) => `${t} ${n}`).join(', ')}`);
      output.out(erased.consent ? `consent kept: ${erased.consent.optedOut ? 'opted out' : 'not opted out'}` : 'no consent record');
    });
}
