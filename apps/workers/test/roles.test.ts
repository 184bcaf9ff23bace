import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { assertEveryQueueConsumed, defineCatalog, jobCatalog, PARKING_QUEUES, QUEUE_NAMES, tenantScoped, UnconsumedQueueError } from '@fieldhand/queues';
import { ROLES } from '../src/roles.js';

describe('worker roles', () => {
  it('consume every queue of the catalog between them', () => {
    expect(() => assertEveryQueueConsumed(jobCatalog, ROLES)).not.toThrow();
    const consumed = new Set(ROLES.flatMap((role) => role.queues));
    expect(QUEUE_NAMES.filter((queue) => !consumed.has(queue))).toEqual([...PARKING_QUEUES]);
  });

  it('refuse to start when a queue has no consumer, naming it', () => {
    const withReminders = defineCatalog({ ...jobCatalog, 'test.remind': { queue: 'dead-letter', schema: tenantScoped } });
    // A parking queue may hold jobs no role consumes; any other queue may not.
    expect(() => assertEveryQueueConsumed(withReminders, ROLES)).not.toThrow();
    const withoutSms = ROLES.filter((role) => role.name !== 'sms');
    expect(() => assertEveryQueueConsumed(jobCatalog, withoutSms)).toThrow(UnconsumedQueueError);
    expect(() => assertEveryQueueConsumed(jobCatalog, withoutSms)).toThrow(/sms-send, sms-inbound, sms-status/);
    const unknownQueue = { 'test.orphan': { queue: 'reminders', schema: z.object({ tenantId: z.null() }) } } as never;
    // The reminders role consumes `reminders` now: without it, that queue has no consumer.
    expect(() => assertEveryQueueConsumed(unknownQueue, ROLES.filter((role) => role.name !== 'reminders'))).toThrow(/reminders/);
    // The events role delivers event webhooks: without it, the events queue has no consumer.
    expect(() => assertEveryQueueConsumed(jobCatalog, ROLES.filter((role) => role.name !== 'events'))).toThrow(/queue\(s\) events/);
    expect(ROLES.map((role) => role.name).sort()).toEqual(['events', 'maintenance', 'reminders', 'sms', 'sync', 'workflows']);
  });
});

describe('a worker process', () => {
  it('exits at start when the roles leave a queue unconsumed', () => {
    // The bootstrap's own check, run in a child with a role list that leaves out the sync role.
    const script = `
      import { runRole } from './apps/workers/src/bootstrap/run-role.ts';
      import { ROLES } from './apps/workers/src/roles.ts';
      await runRole(ROLES[0], ROLES.filter((role) => role.name !== 'sync'));
    `;
    const root = fileURLToPath(new URL('../../..', import.meta.url));
    const child = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', timeout: 30_000 });
    expect(child.status).toBe(1);
    expect(child.stdout + child.stderr).toContain('no worker role consumes queue(s) sync');
  });
});
