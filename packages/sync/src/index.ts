export { applyPage } from './apply-page.js';
export { planSyncs } from './plan-syncs.js';
export { startSync } from './start-sync.js';
export type { ChangeEvent, RowChange, SourcePage, SourceRecord, SyncModule, SyncSource, SyncSourceDefinition } from './sync-source.js';
export { findModule, syncSources, type SyncDeps, type SyncSources } from './sync-sources.js';
export { syncStatus } from './sync-status.js';
export { changeEventJobs, type EventJob } from './change-events.js';
export { retryAfterMs } from './retry-after.js';
