import { randomUUID } from 'node:crypto';
import type pm2Client from 'pm2';
import type { ProcessDescription } from 'pm2';
import { METRICS_REPLY, METRICS_REQUEST, type InstanceMetrics } from '@fieldhand/observability';

type Pm2 = typeof pm2Client;
// PM2's bus (an axon sub-emitter): `off(event)` would drop every listener of the event, so one listener serves every scrape.
type Bus = { on: (event: string, listener: (packet: Reply) => void) => void };
type Reply = { process: { pm_id: number; name: string }; data: { requestId?: string; metrics?: InstanceMetrics['metrics']; error?: string } };

/** The PM2 apps that answer metrics requests: the API and the worker roles (not the demo sandbox). */
const answers = (name: string) => name === 'fieldhand-api' || name.startsWith('fieldhand-worker-');

export type Pm2Gathering = {
  /** Every other instance that answered in time. */
  answered: InstanceMetrics[];
  /** Instances PM2 lists that did not answer in time (stopped, errored, stuck, restarting). */
  missing: string[];
};

export type Pm2Instances = { gather: (timeoutMs: number) => Promise<Pm2Gathering>; close: () => Promise<void> };

export const instanceName = (name: string, pmId: number | string) => `${name}:${pmId}`;

/**
 * Asks every other PM2 process of the deployment for its own metrics over PM2's IPC:
 * the request goes through the daemon (sendDataToProcessId), the answers come back on
 * the PM2 bus. Answers after `timeoutMs` are dropped; the instance counts as missing.
 */
export function pm2Instances(): Pm2Instances {
  let connected: Promise<Pm2> | undefined;
  // Scrapes in flight by request id (two scrapes of one instance may overlap).
  const waiting = new Map<string, (packet: Reply) => void>();
  const connect = () =>
    (connected ??= (async () => {
      const { default: pm2 } = await import('pm2');
      await new Promise<void>((resolve, reject) => pm2.connect((err) => (err ? reject(err) : resolve())));
      const bus = await new Promise<Bus>((resolve, reject) => pm2.launchBus((err, b) => (err ? reject(err) : resolve(b as Bus))));
      bus.on(METRICS_REPLY, (packet) => waiting.get(packet.data?.requestId ?? '')?.(packet));
      return pm2;
    })().catch((err: unknown) => {
      connected = undefined;
      throw err;
    }));

  const gather = async (timeoutMs: number): Promise<Pm2Gathering> => {
    const deadline = Date.now() + timeoutMs;
    const pm2 = await withTimeout(connect(), timeoutMs, 'connecting to the PM2 daemon');
    const list = await withTimeout(
      new Promise<ProcessDescription[]>((resolve, reject) => pm2.list((err, procs) => (err ? reject(err) : resolve(procs)))),
      Math.max(1, deadline - Date.now()),
      'listing PM2 processes',
    );
    const self = process.env['pm_id'];
    const targets = new Map<number, string>();
    for (const { name, pm_id: id } of list) if (name && id !== undefined && answers(name) && String(id) !== self) targets.set(id, instanceName(name, id));
    const requestId = randomUUID();
    const answered = new Map<number, InstanceMetrics>();
    const refused = new Set<number>();
    await new Promise<void>((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        waiting.delete(requestId);
        resolve();
      };
      const onReply = (packet: Reply) => {
        const id = packet.process?.pm_id;
        if (!targets.has(id) || !packet.data.metrics) return;
        answered.set(id, { instance: targets.get(id)!, metrics: packet.data.metrics });
        if (answered.size + refused.size === targets.size) finish();
      };
      const timer = setTimeout(finish, Math.max(1, deadline - Date.now()));
      waiting.set(requestId, onReply);
      if (targets.size === 0) return finish();
      // The daemon refuses a process that is not online (stopped, errored): it is missing at once.
      for (const id of targets.keys()) {
        pm2.sendDataToProcessId(id, { id, type: 'process:msg', topic: METRICS_REQUEST, data: { requestId } }, (err: unknown) => {
          if (!err) return;
          refused.add(id);
          if (answered.size + refused.size === targets.size) finish();
        });
      }
    });
    return { answered: [...answered.values()], missing: [...targets].filter(([id]) => !answered.has(id)).map(([, name]) => name) };
  };

  const close = async () => {
    const current = connected;
    connected = undefined;
    if (current) await current.then((pm2) => pm2.disconnect()).catch(() => undefined);
  };
  return { gather, close };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out ${what} after ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
