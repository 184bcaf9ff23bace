import { beforeAll, describe, expect, it } from 'vitest';
import { createTenant, messages } from '@fieldhand/db';
import { useCliHarness } from './support/cli-harness.js';

const h = useCliHarness('cli-report-test');
const { cli } = h;
const SENDER = '+17372004301';
let tenantId: string;

beforeAll(async () => {
  tenantId = (await createTenant(h.db, { name: 'CLI Report HVAC', timezone: 'America/Chicago', twilio: { from: SENDER } })).id;
  const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);
  await h.db.insert(messages).values([
    { tenantId, direction: 'outbound', to: '+15127036401', from: SENDER, body: 'Your tune-up is booked', status: 'delivered', segments: 1, twilioSid: `SM${'4'.repeat(32)}`, createdAt: hoursAgo(30) },
    { tenantId, direction: 'outbound', to: '+15127036402', from: SENDER, body: 'Your tune-up is booked', status: 'delivered', segments: 1, twilioSid: `SM${'5'.repeat(32)}`, createdAt: hoursAgo(24 * 20) },
    { tenantId, direction: 'inbound', to: SENDER, from: '+15127036401', body: 'see you then', status: 'received', segments: 1, createdAt: hoursAgo(29) },
  ]);
});

describe('fieldhand report', () => {
  it('prints the last week as a table, the last month with --month, and the summary as JSON', async () => {
    const week = await cli(['report', tenantId, '--week']);
    expect(week.code, week.err.join('\n')).toBe(0);
    expect(week.out.find((l) => l.startsWith('texts sent'))).toMatch(/^texts sent\s+1$/);
    expect(week.out.find((l) => l.startsWith('replies'))).toMatch(/^replies\s+1$/);
    expect(week.out.find((l) => l.startsWith('their total'))).toMatch(/\$0\.00$/);
    const month = await cli(['report', tenantId, '--month', '--json']);
    expect(JSON.parse(month.out.join('\n'))).toMatchObject({ tenantId, texts: { sent: 2, delivered: 2 }, replies: 1 });
    const bad = await cli(['report', tenantId, '--from', 'last tuesday']);
    expect(bad.code).toBe(1);
    expect(bad.err.join('\n')).toMatch(/validation_failed/);
  });
});
