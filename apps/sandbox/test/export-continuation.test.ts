import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccounts, postJson, startSandbox, stGet, stToken, type Fixture, type TestAccounts } from './support/sandbox-fixture.js';

interface ExportBody {
  hasMore: boolean;
  continueFrom: string;
  data: Array<{ id: number; modifiedOn: string } & Record<string, unknown>>;
}

let fixture: Fixture;
let accounts: TestAccounts;
let token: string;

async function exportPage(path: string, from?: string, includeRecentChanges = false): Promise<ExportBody> {
  const query = new URLSearchParams();
  if (from !== undefined) query.set('from', from);
  if (includeRecentChanges) query.set('includeRecentChanges', 'true');
  const response = await stGet(fixture.url, accounts, token, `${path}?${query.toString()}`);
  expect(response.status).toBe(200);
  return (await response.json()) as ExportBody;
}

/** Follows continueFrom until hasMore is false, as a sync worker does. */
async function readAll(path: string, from?: string): Promise<{ records: ExportBody['data']; token: string; pages: number }> {
  const records: ExportBody['data'] = [];
  let cursor = from;
  let pages = 0;
  for (;;) {
    const page = await exportPage(path, cursor);
    pages += 1;
    records.push(...page.data);
    cursor = page.continueFrom;
    if (!page.hasMore) return { records, token: cursor, pages };
  }
}

function control(path: string, body: unknown = {}): Promise<Response> {
  return postJson(`${fixture.url}/_sandbox/servicetitan/${accounts.servicetitan.tenantId}${path}`, body);
}

beforeAll(async () => {
  fixture = await startSandbox();
  accounts = await createAccounts(fixture.url, { seed: 11, size: 120, servicetitan: { exportPageSize: 50 } });
  token = await stToken(fixture.url, accounts);
});

afterAll(async () => {
  await fixture.running.close();
});

describe('ServiceTitan export continuation', () => {
  const estimates = () => `sales/v2/tenant/${accounts.servicetitan.tenantId}/export/estimates`;

  it('a stored token returns exactly the records changed since, in their new state', async () => {
    const full = await readAll(estimates());
    expect(full.pages).toBe(3);
    expect(new Set(full.records.map((r) => r.id)).size).toBe(120);
    const open = full.records.filter((r) => (r['status'] as { name: string }).name === 'Open');
    const [toSell, toDismiss] = open;
    if (!toSell || !toDismiss) throw new Error('dataset should have open estimates');

    expect((await control(`/estimates/${toSell.id}/sell`, { soldBy: 1001 })).status).toBe(200);
    expect((await control(`/estimates/${toDismiss.id}/dismiss`)).status).toBe(200);
    const created = (await (await control('/estimates', { jobId: 50_000_010, name: 'Second opinion', items: [{ description: 'Heat pump', unitRate: 6400 }] })).json()) as { id: number };
    // Changes to other resources must not leak into this export.
    expect((await control('/customer-contacts/20000004', { doNotText: true })).status).toBe(200);

    const changes = await readAll(estimates(), full.token);
    expect(changes.records.map((r) => r.id).sort()).toEqual([toSell.id, toDismiss.id, created.id].sort());
    const byId = new Map(changes.records.map((r) => [r.id, r]));
    expect(byId.get(toSell.id)).toMatchObject({ status: { name: 'Sold' }, soldBy: 1001 });
    expect(byId.get(toDismiss.id)).toMatchObject({ status: { name: 'Dismissed' } });
    expect(byId.get(created.id)).toMatchObject({ status: { name: 'Open' }, subtotal: 6400, jobId: 50_000_010 });
    for (const record of changes.records) expect(Date.parse(record.modifiedOn)).toBeGreaterThan(Date.parse(toSell.modifiedOn));

    // Nothing new since: the next read from the latest token is empty.
    const again = await exportPage(estimates(), changes.token);
    expect(again).toMatchObject({ hasMore: false, data: [] });

    // A record changed twice is served once, in its latest state.
    await control(`/estimates/${created.id}/dismiss`);
    await control(`/estimates/${created.id}/sell`);
    const twice = await readAll(estimates(), changes.token);
    expect(twice.records).toHaveLength(1);
    expect(twice.records[0]).toMatchObject({ id: created.id, status: { name: 'Sold' } });
  });

  it('sees appointment, job and contact changes in their own exports', async () => {
    const tenant = accounts.servicetitan.tenantId;
    const appointments = await readAll(`jpm/v2/tenant/${tenant}/export/appointments`);
    const jobs = await readAll(`jpm/v2/tenant/${tenant}/export/jobs`);
    const contacts = await readAll(`crm/v2/tenant/${tenant}/export/customers/contacts`);

    await control('/appointments/60000020/reschedule', { start: '2030-01-02T15:00:00Z' });
    await control('/appointments/60000021/cancel');
    await control('/jobs/50000022/complete');
    await control('/customer-contacts/20000006', { value: '+15125550188', doNotText: true });

    const changedAppointments = await readAll(`jpm/v2/tenant/${tenant}/export/appointments`, appointments.token);
    expect(changedAppointments.records.map((r) => [r.id, r['status']]).sort()).toEqual([[60000020, 'Scheduled'], [60000021, 'Canceled'], [60000022, 'Done']]);
    expect(changedAppointments.records.find((r) => r.id === 60000020)).toMatchObject({ start: '2030-01-02T15:00:00.000Z', arrivalWindowStart: '2030-01-02T15:00:00.000Z' });
    const changedJobs = await readAll(`jpm/v2/tenant/${tenant}/export/jobs`, jobs.token);
    expect(changedJobs.records.map((r) => [r.id, r['jobStatus']])).toEqual([[50000022, 'Completed']]);
    const changedContacts = await readAll(`crm/v2/tenant/${tenant}/export/customers/contacts`, contacts.token);
    // Contact 20000004 changed before the full read started, so it is not repeated.
    expect(changedContacts.records).toHaveLength(1);
    expect(changedContacts.records[0]).toMatchObject({ id: 20000006, value: '5125550188', phoneSettings: { phoneNumber: '5125550188', doNotText: true } });
  });

  it('accepts a date as from, returning records modified since', async () => {
    const tenant = accounts.servicetitan.tenantId;
    const before = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await control('/customer-contacts/20000008', { doNotText: true });
    const since = await readAll(`crm/v2/tenant/${tenant}/export/customers/contacts`, before);
    expect(since.records.map((r) => r.id)).toEqual([20000008]);
  });

  it('includeRecentChanges=true serves fresh changes early and may repeat them', async () => {
    const tenant = accounts.servicetitan.tenantId;
    const path = `crm/v2/tenant/${tenant}/export/locations/contacts`;
    const full = await readAll(path);
    await control('/location-contacts/40000003', { doNotText: true });
    const first = await exportPage(path, full.token, true);
    expect(first.data.map((r) => r.id)).toEqual([40000003]);
    const repeat = await exportPage(path, first.continueFrom, true);
    expect(repeat.data.map((r) => r.id)).toEqual([40000003]);
    const settled = await exportPage(path, first.continueFrom, false);
    expect(settled.data.map((r) => r.id)).toEqual([40000003]);
    expect((await exportPage(path, settled.continueFrom)).data).toEqual([]);
  });

  it('rejects a token from another export with a 400 problem', async () => {
    const full = await readAll(`crm/v2/tenant/${accounts.servicetitan.tenantId}/export/locations`);
    const response = await stGet(fixture.url, accounts, token, `crm/v2/tenant/${accounts.servicetitan.tenantId}/export/customers?from=${full.token}`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ status: 400, errors: { from: [expect.any(String)] } });
  });
});
