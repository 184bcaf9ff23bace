// bench/retention: the daily retention pass over 1,000,000 messages older than the body
// retention (100 tenants × 10,000), with 1,000 opted-out numbers among them. Prints the
// pass's time, statements and the longest single statement (what bounds lock time), and
// checks every body is blanked and every opt-out kept.
// Run: node --conditions=source --import tsx apps/workers/bench/retention.ts [--messages=1000000] [--tenants=100]
import { sql } from 'drizzle-orm';
import { createTenant } from '@fieldhand/db';
import { createTestDatabase } from '@fieldhand/db/testing';
import { createLogger } from '@fieldhand/observability';
import { runRetention } from '../src/maintenance/retention.js';

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const MESSAGES = arg('messages', 1_000_000);
const TENANTS = arg('tenants', 100);
const PER_TENANT = Math.ceil(MESSAGES / TENANTS);

const t = await createTestDatabase();
let ok = false;
try {
  const seeding = performance.now();
  for (let i = 0; i < TENANTS; i++) {
    const { id } = await createTenant(t.db, { name: `Retention ${i}`, timezone: 'UTC' });
    await t.db.execute(sql`
      insert into messages (tenant_id, direction, "to", "from", body, status, segments, created_at)
      select ${id}, 'outbound', '+1512' || lpad((2000000 + g % 5000)::text, 7, '0'), '+15125550000', 'Hi, this is about your estimate ' || g, 'delivered', 1, now() - interval '500 days' + (g || ' seconds')::interval
      from generate_series(1, ${PER_TENANT}) g`);
    await t.db.execute(sql`
      insert into communication_preferences (tenant_id, phone, sms_opt_out, keyword, source, changed_at)
      select ${id}, '+1512' || lpad((2000000 + g)::text, 7, '0'), true, 'STOP', 'inbound_sms', now() - interval '450 days' from generate_series(1, 10) g`);
  }
  await t.db.execute(sql`analyze messages`);
  const seedSeconds = (performance.now() - seeding) / 1000;

  const started = performance.now();
  const outcome = await runRetention({ db: t.db, logger: createLogger({ name: 'bench-retention', level: 'warn' }) }, { messageBodyDays: 400, inboxDays: 30, workflowEventsDays: 90, syncRunsDays: 90, stepRunsDays: 180, webhookDeliveriesDays: 30, batchSize: 5_000 });
  const seconds = (performance.now() - started) / 1000;
  const left = Number((await t.db.execute<{ n: number }>(sql`select count(*)::int as n from messages where body <> ''`)).rows[0]!.n);
  const optOuts = Number((await t.db.execute<{ n: number }>(sql`select count(*)::int as n from communication_preferences where sms_opt_out`)).rows[0]!.n);
  const m = outcome.messages;
  console.log(`\nbench/retention — ${PER_TENANT * TENANTS} messages older than 400 days over ${TENANTS} tenants (seeded in ${seedSeconds.toFixed(0)} s)`);
  console.log(`pass:      ${m.rows} bodies blanked in ${seconds.toFixed(1)} s (${(m.rows / seconds).toFixed(0)} rows/s), ${m.statements} statements of ≤ 5,000 rows`);
  console.log(`longest:   ${m.longestStatementMs.toFixed(0)} ms for one statement (the longest any row lock is held)`);
  console.log(`left:      ${left} bodies not blanked; opt-outs kept ${optOuts} of ${TENANTS * 10}`);
  ok = left === 0 && optOuts === TENANTS * 10 && m.rows === PER_TENANT * TENANTS;
  console.log(ok ? 'PASS' : 'FAIL');
} finally {
  await t.drop();
}
process.exit(ok ? 0 : 1);
