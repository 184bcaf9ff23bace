import DataLoader from 'dataloader';
import { insertInboundTexts, type Database, type InboundText, type InboxJob } from '@fieldhand/db';
import { enqueueInbox, type FieldhandCatalog, type JobBus } from '@fieldhand/queues';

const MAX_BATCH = 200;

/**
 * Calls made while the event loop is busy with other requests share one round trip:
 * a batch is sent once the loop has finished the I/O at hand (setImmediate), so a
 * lone webhook waits for nothing and a burst pays one write instead of fifty.
 */
function batched<K, V>(run: (keys: readonly K[]) => Promise<ReadonlyArray<V | Error>>): (key: K) => Promise<V> {
  const loader = new DataLoader<K, V>(run, { cache: false, maxBatchSize: MAX_BATCH, batchScheduleFn: (dispatch) => setImmediate(dispatch) });
  return (key) => loader.load(key);
}

/**
 * Stores inbound texts that change no consent, many per statement. If a batch
 * fails, each text is stored on its own so one bad text fails only its own webhook
 * (Twilio retries it) and never its neighbours'.
 */
export function batchedInboundStore(db: Database): (text: InboundText) => Promise<InboxJob | undefined> {
  return batched(async (texts) => {
    try {
      return await insertInboundTexts(db, texts);
    } catch {
      return Promise.all(texts.map((text) => insertInboundTexts(db, [text]).then(([job]) => job, (err: unknown) => asError(err))));
    }
  });
}

/** Enqueues inbox rows, many per Redis round trip; a failure fails the batch (the inbox reconciler has the rows). */
export function batchedInboxEnqueue(bus: JobBus<FieldhandCatalog>): (row: InboxJob) => Promise<void> {
  return batched(async (rows) => {
    await enqueueInbox(bus, rows);
    return rows.map(() => undefined);
  });
}

const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));
