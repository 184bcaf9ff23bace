import type { Database } from '@fieldhand/db';
import type { Logger } from '@fieldhand/observability';
import { SYNC_SOURCE_NAME, type FieldhandCatalog, type JobBus } from '@fieldhand/queues';
import type { SyncModule, SyncSource, SyncSourceDefinition } from './sync-source.js';

/** The registered sources, by name. */
export type SyncSources<S extends SyncSourceDefinition = SyncSource> = {
  /** In registration order. */
  readonly list: readonly S[];
  readonly names: readonly string[];
  get(name: string): S | undefined;
};

/** What the engine runs with: its connections and the sources it may sync. */
export type SyncDeps = {
  db: Database;
  bus: JobBus<FieldhandCatalog>;
  sources: SyncSources;
  logger: Logger;
};

/** Registers sources; a bad or repeated name of a source or a module stops the process at boot. */
export function syncSources<S extends SyncSourceDefinition>(list: readonly S[]): SyncSources<S> {
  const byName = new Map<string, S>();
  for (const source of list) {
    if (!SYNC_SOURCE_NAME.test(source.name)) throw new Error(`Sync source name ${JSON.stringify(source.name)} must match ${SYNC_SOURCE_NAME}`);
    if (byName.has(source.name)) throw new Error(`Sync source ${source.name} is registered twice`);
    const modules = source.modules.map((m) => m.name);
    const repeated = modules.filter((name, i) => modules.indexOf(name) !== i);
    if (repeated.length > 0) throw new Error(`Sync source ${source.name} names module(s) twice: ${repeated.join(', ')}`);
    // Job payloads carry the module name (packages/queues/src/jobs/sync.ts).
    const unfit = modules.filter((name) => name.length === 0 || name.length > 64);
    if (unfit.length > 0) throw new Error(`Sync source ${source.name} has module name(s) not 1-64 characters: ${unfit.join(', ')}`);
    byName.set(source.name, source);
  }
  return { list, names: [...byName.keys()], get: (name) => byName.get(name) };
}

export function findModule<M extends SyncModule>(source: SyncSourceDefinition<M>, name: string): M | undefined {
  return source.modules.find((m) => m.name === name);
}
