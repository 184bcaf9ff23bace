// The demo's first minutes, as a newcomer clicks through them: `npm start`, the
// phone page lists the demo customers, "Create a $2,500 estimate" starts the
// follow-up whose first text arrives on that phone, STOP ends it, and "Book an
// appointment" reaches Fieldhand with the next sync pass. Screenshots of each
// step are kept in test-results/demo/.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { createTestRedis, type TestRedis } from '@fieldhand/queues/testing';
import { allowTextingAtAnyHour, apiCaller, freePort, isAlive, newPm2Home, pm2List, root, spawnNpmStart, waitFor, waitForExit } from './helpers.js';

const adminKey = 'e2e-demo-admin-key-0123456789abcdef';
const artifacts = join(root, 'test-results', 'demo');

let t: TestDatabase;
let redis: TestRedis;
let child: ChildProcess;
let output: () => string = () => '';
let pm2Home: string;
let api: string;
let sandbox: string;
let browser: Browser;
let page: Page;

const call = apiCaller(() => api, adminKey);

const shot = (name: string) => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  t = await createTestDatabase();
  redis = createTestRedis();
  pm2Home = newPm2Home();
  const port = await freePort();
  const sandboxPort = await freePort();
  api = `http://127.0.0.1:${port}`;
  sandbox = `http://127.0.0.1:${sandboxPort}`;
  const npm = spawnNpmStart({ databaseUrl: t.url, redisUrl: redis.url, prefix: redis.prefix, port, sandboxPort, pm2Home, adminKey, extra: { API_INSTANCES: '1', SYNC_INTERVAL_SECONDS: '10' } });
  child = npm.child;
  output = npm.output;
  await waitFor(() => output().includes('Fieldhand is up') || undefined, 120_000, 'npm start').catch((err: Error) => {
    throw new Error(`${err.message}\n--- npm start output ---\n${output().slice(-4000)}`);
  });
  browser = await chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
}, 150_000);

afterAll(async () => {
  await browser?.close();
  if (child && child.exitCode === null) {
    // A failed test: PM2 runs inside npm start, so take its apps' pids before killing it.
    const pids = pm2List(pm2Home).map((p) => p.pid);
    child.kill('SIGKILL');
    for (const pid of pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
  await redis?.cleanup();
  await t?.drop();
});

describe('the demo, clicked through on the phone page', () => {
  it('lists the demo customers; an estimate texts one of them; STOP ends the follow-up; an appointment syncs', async () => {
    // The summary names where to look; routine info logs stay in PM2's files.
    expect(output()).toContain(`Phone page     ${sandbox}/phone`);
    expect(output()).toMatch(/up {4}fieldhand-worker-sms/);
    expect(output()).not.toContain('"level":"info"');

    // Texts go out 08:00–21:00 in the customer's zone; the suite runs at any hour.
    const tenants = (await call('/tenants')).body['data'] as Array<{ id: string; name: string; twilio: { from: string } }>;
    const demo = tenants.find((x) => x.name.startsWith('Demo Contractor'));
    expect(demo).toBeDefined();
    await allowTextingAtAnyHour(t.db, demo!.id);
    // A tenant's first pass is a backfill that emits no events: an estimate created while it
    // runs would be taken in silently. Create ours once every module has synced once.
    await waitFor(async () => {
      const modules = (await call(`/tenants/${demo!.id}/sync`)).body['modules'] as Array<{ state: string; lastSuccessAt: string | null }>;
      return modules.length > 0 && modules.every((m) => m.state === 'idle' && m.lastSuccessAt) ? true : undefined;
    }, 90_000, "the demo tenant's first sync");

    await page.goto(`${sandbox}/phone`);
    const customers = page.locator('section.customer');
    await expect.poll(() => customers.count()).toBeGreaterThanOrEqual(3);
    expect(await page.locator('#empty').isHidden()).toBe(true);
    await shot('01-customers');

    const first = customers.nth(0);
    const phone = (await first.getAttribute('data-phone'))!;
    await first.locator('button[data-action="estimate"]').click();
    await expect.poll(() => first.locator('.note').textContent()).toMatch(/^Estimate \d+ \(\$2,500\) created/);
    const estimateId = /Estimate (\d+)/.exec((await first.locator('.note').textContent())!)![1]!;
    await shot('02-estimate-created');

    const second = customers.nth(1);
    await second.locator('input[name="minutes"]').fill('45');
    await second.locator('button[data-action="appointment"]').click();
    await expect.poll(() => second.locator('.note').textContent()).toMatch(/^Appointment \d+ booked/);
    const appointmentId = /Appointment (\d+)/.exec((await second.locator('.note').textContent())!)![1]!;

    // Next sync pass (10 s here) → run → the demo follow-up's one-minute wait → the text.
    const followUps = first.locator('li.to-customer .body');
    await expect.poll(() => followUps.allTextContents(), { timeout: 150_000, interval: 1_000 }).toEqual([expect.stringContaining('following up on your estimate')]);
    const synced = await t.db.execute<{ id: string; status: string }>(sql`select id::text, status from st_appointments where id = ${Number(appointmentId)}`);
    expect(synced.rows).toEqual([{ id: appointmentId, status: 'Scheduled' }]);
    await shot('03-first-follow-up');

    await first.locator('button.quick[data-body="STOP"]').click();
    await expect.poll(() => first.locator('h2 .meta').textContent(), { timeout: 10_000 }).toContain('opted out');
    const run = await waitFor(async () => {
      const runs = (await call(`/tenants/${demo!.id}/workflow-runs?subject=estimate:${estimateId}`)).body['data'] as Array<{ status: string; cancelReason: string | null; phone: string }>;
      return runs[0]?.status === 'cancelled' ? runs[0] : undefined;
    }, 15_000, 'the run cancelled by STOP');
    expect(run).toMatchObject({ phone, cancelReason: expect.stringMatching(/^customer opted out/) });
    await shot('04-stopped');

    // The demo tenant's event endpoint is the sandbox's receiver: the STOP arrives there signed, as consent.opted_out.
    const received = await waitFor(async () => {
      const got = (await (await fetch(`${sandbox}/_sandbox/receivers/demo`)).json()) as { received: Array<{ verified: boolean | null; body: { type?: string; data?: { phone?: string } } }> };
      return got.received.find((r) => r.body.type === 'consent.opted_out' && r.body.data?.phone === phone);
    }, 20_000, 'consent.opted_out at the demo receiver');
    expect(received.verified).toBe(true);

    // A reply (not a keyword) is forwarded to the office's phone, shown at the top of the page.
    const office = page.locator('section.office');
    expect(await office.count()).toBe(1);
    await second.locator('form.reply input[name="body"]').fill('Can you come earlier?');
    await second.locator('form.reply button.send').click();
    await expect.poll(() => office.locator('li.to-customer .body').allTextContents(), { timeout: 30_000, interval: 1_000 }).toEqual([expect.stringMatching(/^Reply from .+: "Can you come earlier\?"$/)]);
    await shot('05-reply-forwarded-to-office');

    child.kill('SIGTERM');
    expect(await waitForExit(child, 15_000)).toMatchObject({ code: 0 });
  }, 240_000);
});
