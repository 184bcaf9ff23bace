import express, { Router } from 'express';
import { Webhook } from 'standardwebhooks';
import { z } from 'zod';

/** One scripted answer: `times` requests in a row get it (then the next one; 200 after the script). */
const answerSchema = z.object({
  status: z.number().int().min(100).max(599),
  times: z.number().int().min(1).max(10_000).default(1),
  delayMs: z.number().int().min(0).max(60_000).default(0),
  location: z.string().max(2_000).optional(),
});
const receiverSchema = z.object({
  // whsec_… secrets to check `webhook-signature` with (the standardwebhooks verifier), e.g. both during a rotation.
  secrets: z.array(z.string().min(1)).max(5).default([]),
  answers: z.array(answerSchema).max(100).default([]),
});

type Received = {
  receivedAt: string;
  webhookId: string | null;
  webhookTimestamp: string | null;
  signature: string | null;
  /** Which configured secrets verify it (by index); null when none are configured. */
  verifiedWith: number[] | null;
  verified: boolean | null;
  status: number;
  body: unknown;
};
type Receiver = { secrets: string[]; answers: Array<z.output<typeof answerSchema>>; received: Received[] };

// Bounded: a long demo must not grow the sandbox's memory without end.
const KEEP = 20_000;

/**
 * /_sandbox/receivers/:name — an event endpoint for the demo and tests. `PUT` sets its secrets
 * and a script of answers (500 three times, a slow answer, a redirect…); `POST` is the endpoint
 * (verifies with `standardwebhooks`, records, answers by the script); `GET` lists what it got;
 * `DELETE` forgets it.
 */
export function receiverRoutes(initial: Record<string, { secrets: string[] }> = {}): Router {
  const receivers = new Map<string, Receiver>(Object.entries(initial).map(([name, { secrets }]) => [name, { secrets, answers: [], received: [] }]));
  const receiver = (name: string): Receiver => {
    let found = receivers.get(name);
    if (!found) receivers.set(name, (found = { secrets: [], answers: [], received: [] }));
    return found;
  };
  const router = Router();

  router.put('/:name', express.json(), (req, res) => {
    const parsed = receiverSchema.safeParse(req.body ?? {});
    if (!parsed.success) return void res.status(400).json({ error: 'invalid receiver', issues: parsed.error.issues });
    receivers.set(req.params.name, { ...parsed.data, answers: parsed.data.answers.map((a) => ({ ...a })), received: [] });
    res.json({ name: req.params.name, secrets: parsed.data.secrets.length, answers: parsed.data.answers });
  });

  router.post('/:name', express.raw({ type: () => true, limit: '1mb' }), async (req, res) => {
    const target = receiver(req.params.name);
    const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    const headers = Object.fromEntries(Object.entries(req.headers).filter((e): e is [string, string] => typeof e[1] === 'string'));
    const verifiedWith = target.secrets.length === 0 ? null : target.secrets.flatMap((secret, index) => (verifies(secret, raw, headers) ? [index] : []));
    const answer = target.answers[0];
    if (answer && --answer.times <= 0) target.answers.shift();
    const status = answer?.status ?? 200;
    let body: unknown = raw;
    try {
      body = JSON.parse(raw);
    } catch {
      // kept as text
    }
    target.received.push({
      receivedAt: new Date().toISOString(),
      webhookId: headers['webhook-id'] ?? null,
      webhookTimestamp: headers['webhook-timestamp'] ?? null,
      signature: headers['webhook-signature'] ?? null,
      verifiedWith,
      verified: verifiedWith === null ? null : verifiedWith.length > 0,
      status,
      body,
    });
    if (target.received.length > KEEP) target.received.splice(0, target.received.length - KEEP);
    if (answer?.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    if (answer?.location) res.setHeader('location', answer.location);
    res.status(status).json({ ok: status < 300 });
  });

  router.get('/:name', (req, res) => {
    const target = receivers.get(req.params.name);
    const received = target?.received ?? [];
    res.json({ name: req.params.name, count: received.length, distinctIds: new Set(received.map((r) => r.webhookId)).size, received });
  });

  router.delete('/:name', (req, res) => {
    receivers.delete(req.params.name);
    res.status(204).end();
  });
  return router;
}

function verifies(secret: string, raw: string, headers: Record<string, string>): boolean {
  try {
    new Webhook(secret).verify(raw, headers);
    return true;
  } catch {
    return false;
  }
}
