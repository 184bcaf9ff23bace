import { describe, expect, it } from 'vitest';
import { stCustomers, stJobs } from '@fieldhand/db';
import { findModule, syncSources, type SyncModule, type SyncSourceDefinition } from '../src/index.js';

const module = (name: string, table: SyncModule['table'] = stCustomers): SyncModule => ({ name, table, toRow: (record) => record, tracked: [] });
const source = (name: string, modules: SyncModule[]): SyncSourceDefinition => ({ name, modules, configured: () => true, tenantIds: async () => [] });

describe('sync source registry', () => {
  it('finds sources by name and modules within their source', () => {
    const sources = syncSources([source('first', [module('customers'), module('jobs', stJobs)]), source('second-one', [module('customers')])]);
    expect(sources.names).toEqual(['first', 'second-one']);
    expect(findModule(sources.get('first')!, 'jobs')?.table).toBe(stJobs);
    expect(sources.get('servicetitan')).toBeUndefined();
    expect(findModule(sources.get('second-one')!, 'jobs')).toBeUndefined();
  });

  it('refuses names a job payload could not carry, and names used twice', () => {
    expect(() => syncSources([source('Bad Name', [])])).toThrow(/must match/);
    expect(() => syncSources([source('a'.repeat(33), [])])).toThrow(/must match/);
    expect(() => syncSources([source('twice', []), source('twice', [])])).toThrow(/registered twice/);
    expect(() => syncSources([source('mods', [module('customers'), module('customers')])])).toThrow(/module\(s\) twice: customers/);
    expect(() => syncSources([source('long', [module('m'.repeat(65))])])).toThrow(/not 1-64 characters/);
  });
});
