import { isLastAttempt, type FieldhandCatalog, type HandlersFor } from '@fieldhand/queues';
import { applyEarlyStatus, followUpConsent, processInbound, sendMessage, SenderRateLimit, smsSettings, TwilioClients, type SmsDeps } from '@fieldhand/sms';
import { defineRole, type RoleDeps } from '../bootstrap/role.js';
import { sideConnection } from '../bootstrap/side-connection.js';

/** Builds what the sms handlers need; tests pass their own clock. */
export function smsDeps(roleDeps: RoleDeps, clock: () => Date = () => new Date()): SmsDeps {
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

const SMS_QUEUES = ['sms-send', 'sms-inbound', 'sms-status'] as const;

/** The sms role's handlers over ready-made deps (tests build theirs with their own clock). */
export function smsHandlers(deps: SmsDeps): HandlersFor<FieldhandCatalog, (typeof SMS_QUEUES)[number]> {
  return {
    'sms.send': (data) => sendMessage(deps, data),
    'sms.inbound': (data) => processInbound(deps, data),
    'sms.consent-changed': (data) => followUpConsent(deps, data, `sms-event-${data.eventId}`),
    'sms.status': (data, ctx) => applyEarlyStatus(deps, data, { lastAttempt: isLastAttempt(ctx.job) }),
  };
}

/** Sends texts (one ledger row per job), follows up inbound texts and consent changes, and applies early status callbacks. */
export const smsRole = defineRole({
  name: 'sms',
  queues: SMS_QUEUES,
  handlers: (roleDeps) => smsHandlers(smsDeps(roleDeps)),
});
