// bench/sms's anchor: the cheapest correct send, written for the bench and nothing else. A
// BullMQ worker (the sms-send concurrency) whose job claims its ledger row and reads the
// number's consent in one PostgreSQL round trip, POSTs to Twilio over a keep-alive agent, and
// records the SID and status in a second. No status history, no consent lock held across the
// call, no quiet hours, no rate limit, no events, no logging: what any sender must do, minus
// what Fieldhand adds. Its rate is what the product is measured against.
import { Agent, request } from 'node:http';
import { Worker, Queue } from 'bullmq';
import { sql } from 'drizzle-orm';
import type { Database } from '@fieldhand/db';
import type { TestRedis } from '@fieldhand/queues/testing';

export type HonestSender = { queueName: string; enqueue: (ids: string[]) => Promise<void>; drain: (count: number) => Promise<number>; close: () => Promise<void> };

type Claimed = { id: string; to: string; body: string; opted_out: boolean };

export function honestSender(o: { db: Database; redis: TestRedis; concurrency: number; twilioUrl: string; accountSid: string; authToken: string; from: string; statusCallback: string }): HonestSender {
  const queueName = 'honest-send';
  const queue = new Queue(queueName, { connection: o.redis.connect('producer'), prefix: o.redis.prefix });
  const agent = new Agent({ keepAlive: true, maxSockets: o.concurrency });
  const url = new URL(`${o.twilioUrl}/2010-04-01/Accounts/${o.accountSid}/Messages.json`);
  const auth = `Basic ${Buffer.from(`${o.accountSid}:${o.authToken}`).toString('base64')}`;

  const post = (form: string) =>
    new Promise<{ sid: string }>((resolve, reject) => {
      const req = request(url, { method: 'POST', agent, headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(form) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => (res.statusCode === 201 ? resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as { sid: string }) : reject(new Error(`Twilio answered ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(form);
    });

  let done = 0;
  let onDone: (() => void) | undefined;
  let target = Infinity;
  const worker = new Worker(
    queueName,
    async (job) => {
      const id = (job.data as { id: string }).id;
      // Claim and consent in one round trip.
      const { rows } = await o.db.execute<Claimed>(sql`
        with claimed as (update messages set status = 'sending', claimed_at = now(), updated_at = now() where id = ${id} and status = 'queued' returning id, tenant_id, "to", body)
        select c.id, c."to", c.body, coalesce(p.sms_opt_out, false) as opted_out
        from claimed c left join communication_preferences p on p.tenant_id = c.tenant_id and p.phone = c."to"`);
      const claimed = rows[0];
      if (!claimed) return;
      if (claimed.opted_out) {
        await o.db.execute(sql`update messages set status = 'canceled', updated_at = now() where id = ${id}`);
        return;
      }
      const sent = await post(new URLSearchParams({ To: claimed.to, From: o.from, Body: claimed.body, StatusCallback: o.statusCallback }).toString());
      await o.db.execute(sql`update messages set status = 'accepted', twilio_sid = ${sent.sid}, "from" = ${o.from}, updated_at = now() where id = ${id} and status = 'sending'`);
    },
    { connection: o.redis.connect('worker'), prefix: o.redis.prefix, concurrency: o.concurrency, autorun: false },
  );
  worker.on('completed', () => {
    if (++done >= target) onDone?.();
  });

  return {
    queueName,
    enqueue: async (ids) => {
      for (let i = 0; i < ids.length; i += 1_000) await queue.addBulk(ids.slice(i, i + 1_000).map((id) => ({ name: 'send', data: { id } })));
    },
    /** Runs the worker until `count` jobs completed; returns the seconds it took. */
    drain: async (count) => {
      target = count;
      const started = performance.now();
      const finished = new Promise<void>((resolve) => (onDone = resolve));
      void worker.run();
      await finished;
      return (performance.now() - started) / 1000;
    },
    close: async () => {
      await worker.close();
      await queue.close();
      agent.destroy();
    },
  };
}
