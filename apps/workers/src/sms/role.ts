import { inboxIdOfJob, isLastAttempt, type FieldhandCatalog } from '@fieldhand/queues';
import { applyEarlyStatus, processInbound, sendMessage, SenderRateLimit, smsSettings, TwilioClients, type SmsDeps } from '@fieldhand/sms';
import type { RoleDefinition, RoleDeps } from '../bootstrap/role.js';
import { sideConnection } from '../bootstrap/side-connection.js';

/** Builds what the sms handlers need; tests pass their own clock. */
export function smsDeps(roleDeps: RoleDeps<FieldhandCatalog>, clock: () => Date = () => new Date()): SmsDeps {
  const { config, db, bus, logger } = roleDeps;
  return {
    db,
    bus,
    logger,
    clock,
    twilio: new TwilioClients(config.vendors.TWILIO_API_URL, config.vendors.SMS_SEND_TIMEOUT_MS),
    // Its own connection: limiter calls must not queue behind BullMQ's blocking commands.
    rateLimit: new SenderRateLimit(sideConnection(config.redis.REDIS_URL, roleDeps, 'sender rate limit'), config.redis.QUEUE_PREFIX),
    settings: smsSettings(config),
  };
}

/** Sends texts (one ledger row per job), follows up inbound ones, and applies early status callbacks. */
export const smsRole: RoleDefinition<FieldhandCatalog> = {
  name: 'sms',
  queues: ['sms-send', 'sms-inbound', 'sms-status'],
  handlers: (roleDeps) => {
    const deps = smsDeps(roleDeps);
    return {
      'sms.send': (data) => sendMessage(deps, data),
      // Inbox jobs carry the row's id in their job id, so the row can be marked processed.
      'sms.inbound': (data, ctx) => processInbound(deps, data, inboxIdOfJob(ctx.job.id)),
      'sms.status': (data, ctx) =>
        applyEarlyStatus(deps, data, { inboxId: inboxIdOfJob(ctx.job.id), lastAttempt: isLastAttempt(ctx.job) }),
    };
  },
};
