import type { QueueName } from './queue-names.js';

export type QueueSettings = {
  /** Total tries including the first. */
  attempts: number;
  /** First retry delay; doubles per attempt, with jitter. */
  backoffMs: number;
  /** Jobs processed at once by one worker process. */
  concurrency: number;
  /** Completed jobs kept for inspection in bull-board. */
  keepCompleted: { age: number; count: number };
};

const HOUR = 3600;

// One table for every queue. Failed jobs are never removed automatically: a
// failure must stay findable (bull-board, dead letters) until an operator acts.
export const QUEUE_SETTINGS: Record<QueueName, QueueSettings> = {
  sync: { attempts: 8, backoffMs: 5_000, concurrency: 4, keepCompleted: { age: 24 * HOUR, count: 1_000 } },
  // Writes to GoHighLevel: their own queue and workers, so pushes never hold up the pull (and share its budget).
  'ghl-push': { attempts: 8, backoffMs: 5_000, concurrency: 4, keepCompleted: { age: 24 * HOUR, count: 5_000 } },
  workflow: { attempts: 6, backoffMs: 2_000, concurrency: 10, keepCompleted: { age: 24 * HOUR, count: 5_000 } },
  'sms-send': { attempts: 6, backoffMs: 3_000, concurrency: 10, keepCompleted: { age: 24 * HOUR, count: 5_000 } },
  'sms-inbound': { attempts: 10, backoffMs: 1_000, concurrency: 10, keepCompleted: { age: 24 * HOUR, count: 5_000 } },
  'sms-status': { attempts: 10, backoffMs: 1_000, concurrency: 10, keepCompleted: { age: 6 * HOUR, count: 5_000 } },
  // A burst of reminders due in the same minute: each fire is a few short statements and a ledger insert.
  reminders: { attempts: 6, backoffMs: 2_000, concurrency: 20, keepCompleted: { age: 24 * HOUR, count: 5_000 } },
  // Event publishing and delivery to tenant endpoints (delivery jobs set their own schedule of retries over about a day).
  events: { attempts: 8, backoffMs: 5_000, concurrency: 20, keepCompleted: { age: 24 * HOUR, count: 5_000 } },
  maintenance: { attempts: 3, backoffMs: 10_000, concurrency: 1, keepCompleted: { age: 24 * HOUR, count: 200 } },
  // Nothing consumes dead letters; they wait for an operator to replay or discard them.
  'dead-letter': { attempts: 1, backoffMs: 0, concurrency: 1, keepCompleted: { age: 7 * 24 * HOUR, count: 1_000 } },
};

/** Exponential backoff with ±25% jitter so retries of a burst do not arrive together. */
export const BACKOFF_JITTER = 0.25;

/**
 * PostgreSQL connections for a worker process serving `queues`: never fewer than the
 * jobs it runs at once (plus one), since a job may hold a connection for its whole run
 * (an sms send does, across the Twilio call), or jobs would queue for the pool and time out.
 */
export function workerPoolSize(queues: readonly QueueName[], configured: number): number {
  return Math.max(configured, queues.reduce((sum, queue) => sum + QUEUE_SETTINGS[queue].concurrency, 0) + 1);
}
