/**
 * Queue names are part of every job's Redis key.
 *
 * WARNING: do not rename or remove a value without a migration plan. A renamed
 * queue strands every waiting, delayed and failed job under the old name: add
 * the new queue, drain the old one, then remove it.
 */
export const QUEUE_NAMES = ['sync', 'ghl-push', 'workflow', 'sms-send', 'sms-inbound', 'sms-status', 'reminders', 'events', 'maintenance', 'dead-letter'] as const;

export type QueueName = (typeof QUEUE_NAMES)[number];

/** Queues no role consumes by design: dead letters wait for an operator to replay or discard them. */
export const PARKING_QUEUES: readonly QueueName[] = ['dead-letter'];

export function isQueueName(value: string): value is QueueName {
  return (QUEUE_NAMES as readonly string[]).includes(value);
}
