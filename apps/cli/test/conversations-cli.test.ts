import { beforeAll, describe, expect, it } from 'vitest';
import { createTenant, findMessageByKey, messages, stCustomerContacts, stCustomers } from '@fieldhand/db';
import { useCliHarness } from './support/cli-harness.js';

const h = useCliHarness('cli-conversations-test');
const { cli } = h;
const SENDER = '+17372004101';
const ANA = '+15127036201';
const BO = '+15127036202';
let tenantId: string;

beforeAll(async () => {
  const db = h.db;
  tenantId = (await createTenant(db, { name: 'CLI Conversations HVAC', timezone: 'America/Chicago', twilio: { from: SENDER } })).id;
  await db.insert(stCustomers).values({ tenantId, id: 61, active: true, modifiedOn: new Date(), raw: {}, name: 'Ana Ruiz' });
  await db.insert(stCustomerContacts).values({ tenantId, id: 611, active: true, modifiedOn: new Date(), raw: {}, customerId: 61, type: 'MobilePhone', value: ANA, phone: ANA });
  const text = (direction: 'inbound' | 'outbound', phone: string, body: string, minutesAgo: number) => ({
    tenantId,
    direction,
    to: direction === 'inbound' ? SENDER : phone,
    from: direction === 'inbound' ? phone : SENDER,
    body,
    status: direction === 'inbound' ? 'received' : 'delivered',
    segments: 1,
    createdAt: new Date(Date.now() - minutesAgo * 60_000),
  });
  await db.insert(messages).values([
    text('outbound', ANA, 'Your estimate is ready.', 30),
    text('inbound', ANA, 'Can you call me Thursday?', 20),
    text('outbound', BO, 'See you tomorrow at 9.', 10),
  ]);
});

describe('fieldhand conversations', () => {
  it('lists threads newest first, --open only the unread ones', async () => {
    const all = await cli(['conversations', 'list', tenantId, '--json']);
    expect(all.code, all.err.join('\n')).toBe(0);
    expect(all.out.map((l) => (JSON.parse(l) as { phone: string }).phone)).toEqual([BO, ANA]);

    const open = await cli(['conversations', 'list', tenantId, '--open']);
    expect(open.code).toBe(0);
    expect(open.out[0]).toMatch(/^phone\s+customer\s+unread\s+last\s+at\s+lastTextPartOf/);
    expect(open.out).toHaveLength(2);
    expect(open.out[1]).toContain(ANA);
    expect(open.out[1]).toContain('Ana Ruiz');
    expect(open.out[1]).toContain('← Can you call me Thursday?');
    expect(open.out[1]).toContain('manual');
  });

  it('shows a thread oldest first', async () => {
    const shown = await cli(['conversations', 'show', tenantId, ANA]);
    expect(shown.code, shown.err.join('\n')).toBe(0);
    expect(shown.out[0]).toBe(`${ANA} (Ana Ruiz): 1 unread`);
    expect(shown.out.slice(1).map((l) => l.replace(/^\S+\s+/, ''))).toEqual(['→ Your estimate is ready.  [delivered]', '← Can you call me Thursday?  [received]']);
  });

  it('replies once per key and marks the thread read; read marks it too', async () => {
    const first = await cli(['conversations', 'reply', tenantId, ANA, 'Yes,', 'Thursday', 'at', '10.', '--key', 'cli-reply-1']);
    expect(first.code, first.err.join('\n')).toBe(0);
    expect(first.out[0]).toMatch(new RegExp(`^[0-9a-f-]{36} queued → \\${ANA}$`));
    const again = await cli(['conversations', 'reply', tenantId, ANA, 'Yes,', 'Thursday', 'at', '10.', '--key', 'cli-reply-1']);
    expect(again.out[0]!.split(' ')[0]).toBe(first.out[0]!.split(' ')[0]);
    expect(await findMessageByKey(h.db, tenantId, 'cli-reply-1')).toMatchObject({ id: first.out[0]!.split(' ')[0], body: 'Yes, Thursday at 10.', to: ANA });
    expect((await cli(['conversations', 'list', tenantId, '--open'])).out).toHaveLength(1);

    const read = await cli(['conversations', 'read', tenantId, BO]);
    expect(read.code, read.err.join('\n')).toBe(0);
    expect(read.out[0]).toMatch(new RegExp(`^\\${BO} read at \\d{4}-`));
  });

  it('passes a bad phone to the API, which refuses it', async () => {
    const bad = await cli(['conversations', 'show', tenantId, 'not-a-phone']);
    expect(bad.code).toBe(1);
    expect(bad.err[0]).toMatch(/400 validation_failed/);
    const missing = await cli(['conversations', 'show', tenantId, '+15127036299']);
    expect(missing.code).toBe(1);
    expect(missing.err[0]).toMatch(/404 conversation_not_found/);
  });
});
