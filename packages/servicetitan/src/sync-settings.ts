/** What the sync planner needs from the configuration (parsed in packages/config). */
export type SyncSettings = {
  SYNC_INTERVAL_SECONDS: number;
  SYNC_STALLED_AFTER_SECONDS: number;
};
