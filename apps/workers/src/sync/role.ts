import { applyGhlWebhook, ghlSource, pushConsent, pushEstimate, pushEstimates, pushReply, type GhlPushDeps } from '@fieldhand/ghl';
import { isLastAttempt } from '@fieldhand/queues';
import { serviceTitanSource } from '@fieldhand/servicetitan';
import { applyPage, planSyncs, startSync, syncSources, type SyncDeps } from '@fieldhand/sync';
import { ghlClients } from '../bootstrap/ghl-clients.js';
import { defineRole } from '../bootstrap/role.js';
import { serviceTitanClients } from '../bootstrap/servicetitan-clients.js';

/**
 * Pulls each registered source into PostgreSQL: plans passes, starts them, applies one
 * page per job. A new source is registered here and in apps/api/src/sync-sources.ts.
 */
export const syncRole = defineRole({
  name: 'sync',
  // ghl-push has its own workers (and concurrency), so writes to GHL never hold up the pull.
  queues: ['sync', 'ghl-push'],
  handlers: (roleDeps) => {
    const { config, db, bus, logger } = roleDeps;
    const clients = ghlClients(roleDeps);
    const push: GhlPushDeps = { db, bus, logger, clients };
    const ghl = ghlSource(clients, { fullPassIntervalSeconds: Math.round(config.sync.GHL_RECONCILE_INTERVAL_HOURS * 3600) });
    const deps: SyncDeps = { db, bus, logger, sources: syncSources([serviceTitanSource(serviceTitanClients(roleDeps)), ghl]) };
    return {
      'sync.plan': () => planSyncs(deps, config.sync),
      'sync.start': (data) => startSync(deps, data),
      'sync.page': (data, ctx) => applyPage(deps, data, ctx),
      'ghl.webhook': (data) => applyGhlWebhook({ db, bus, logger }, data),
      'ghl.push-estimate': (data) => pushEstimate(push, data),
      'ghl.push-estimates': (data) => pushEstimates(push, data),
      'ghl.push-consent': (data) => pushConsent(push, data),
      'ghl.push-reply': (data, ctx) => pushReply(push, data, { lastAttempt: isLastAttempt(ctx.job) }),
    };
  },
});
