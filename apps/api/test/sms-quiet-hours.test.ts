import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { findMessageById } from '@fieldhand/db';
import { sendMessage } from '@fieldhand/sms';
import { ADMIN_KEY } from './support/test-api.js';
import { sandboxMessages, startSmsHarness, type SmsHarness } from './support/sms-harness.js';

let h: SmsHarness;
let now = new Date();
const at = (iso: string, zone: string) => DateTime.fromISO(iso, { zone }).toJSDate();

// No worker here: each send is run by hand at the instant the injectable clock says.
beforeAll(async () => {
  h = await startSmsHarness({ clock: () => now });
});
afterAll(() => h.stop());

async function queue(to: string, location?: Record<string, string>): Promise<string> {
  const res = await h.api.request(`/api/v1/tenants/${h.tenantId}/messages`, { method: 'POST', key: ADMIN_KEY, body: { to, body: `quiet hours ${to} ${Math.random()}`, ...(location ? { location } : {}) } });
  expect(res.status).toBe(202);
  return res.body.id as string;
}
const run = (id: string) => sendMessage(h.deps, { tenantId: h.tenantId, messageId: id });
const reached = async (to: string) => (await sandboxMessages(h.sandbox)).filter((m) => m.to === to).length;

describe('quiet hours (must show 5)', () => {
  it('a send due at 21:30 recipient time goes out at 08:00 the next morning, not before', async () => {
    const to = '+15127035001'; // Austin: America/Chicago
    const id = await queue(to);
    now = at('2030-06-03T21:30', 'America/Chicago');
    expect(await run(id)).toBe('deferred-quiet-hours');
    const row = (await findMessageById(h.api.db, id))!;
    expect(row.status).toBe('queued');
    expect(row.sendAfter).toEqual(at('2030-06-04T08:00', 'America/Chicago'));
    // The delayed job is due at the opening: 10 h 30 min after "now".
    const delayed = (await h.api.bus.queue('sms-send').getJobs(['delayed'])).filter((j) => j.data.messageId === id);
    expect(delayed.map((j) => j.opts.delay)).toEqual([10.5 * 3_600_000]);

    now = at('2030-06-04T07:59', 'America/Chicago');
    expect(await run(id)).toBe('deferred-quiet-hours');
    expect(await reached(to)).toBe(0);
    now = at('2030-06-04T08:00', 'America/Chicago');
    expect(await run(id)).toBe('accepted');
    expect(await reached(to)).toBe(1);
  });

  it("uses the recipient's zone, not the tenant's", async () => {
    const to = '+12125035002'; // New York; the tenant is in Chicago
    const id = await queue(to);
    now = at('2030-06-03T20:30', 'America/Chicago'); // 21:30 in New York
    expect(await run(id)).toBe('deferred-quiet-hours');
    expect((await findMessageById(h.api.db, id))!.sendAfter).toEqual(at('2030-06-04T08:00', 'America/New_York'));
  });

  it('Florida, Oklahoma and Maryland numbers stop at 20:00; Texas goes on to 21:00', async () => {
    const cases = [
      ['+13055035003', 'America/New_York'], // Miami
      ['+14055035004', 'America/Chicago'], // Oklahoma City
      ['+14105035005', 'America/New_York'], // Baltimore
    ] as const;
    for (const [to, zone] of cases) {
      const id = await queue(to);
      now = at('2030-06-03T20:00', zone);
      expect(await run(id)).toBe('deferred-quiet-hours');
      expect((await findMessageById(h.api.db, id))!.sendAfter).toEqual(at('2030-06-04T08:00', zone));
      expect(await reached(to)).toBe(0);
    }
    const texas = await queue('+15127035006');
    now = at('2030-06-03T20:30', 'America/Chicago');
    expect(await run(texas)).toBe('accepted');
  });

  it("an address in Florida applies Florida's cut-off and zone to a Texas number", async () => {
    const id = await queue('+15127035007', { state: 'FL' });
    now = at('2030-06-03T20:15', 'America/New_York');
    expect(await run(id)).toBe('deferred-quiet-hours');
    expect((await findMessageById(h.api.db, id))!.sendAfter).toEqual(at('2030-06-04T08:00', 'America/New_York'));
  });
});

describe('tenant send window', () => {
  it('is set through PATCH /tenants and applies to the next send', async () => {
    const patch = await h.api.request(`/api/v1/tenants/${h.tenantId}`, {
      method: 'PATCH',
      key: ADMIN_KEY,
      body: { twilio: { from: '+17372004001', accountSid: `AC${'5'.repeat(32)}`, authToken: 'sms-test-auth-token-0123456789', sendWindow: { start: '09:00', end: '18:00' }, segmentsPerSecond: 0 } },
    });
    expect(patch.status).toBe(200);
    expect(patch.body.twilio).toMatchObject({ sendWindow: { start: '09:00', end: '18:00' }, segmentsPerSecond: 0, hasOwnAuthToken: true });
    const id = await queue('+15127035008');
    now = at('2030-06-03T18:30', 'America/Chicago');
    expect(await run(id)).toBe('deferred-quiet-hours');
    expect((await findMessageById(h.api.db, id))!.sendAfter).toEqual(at('2030-06-04T09:00', 'America/Chicago'));
  });
});
