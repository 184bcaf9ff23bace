import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDatabase, createDatabase, type Database } from '../src/index.js';
import { createTestDatabase, type TestDatabase } from '../src/testing.js';

let t: TestDatabase;
let db: Database;

beforeAll(async () => {
  t = await createTestDatabase();
  db = createDatabase({ url: t.url, max: 2, timeouts: { statementMs: 1_000, lockMs: 1_500, idleInTransactionMs: 2_000 } });
});
afterAll(async () => {
  await closeDatabase(db);
  await t.drop();
});

describe('connection timeouts', () => {
  it('every connection carries the statement, lock and idle-in-transaction timeouts', async () => {
    const { rows } = await db.execute<{ s: string; l: string; i: string }>(
      sql`select current_setting('statement_timeout') as s, current_setting('lock_timeout') as l, current_setting('idle_in_transaction_session_timeout') as i`,
    );
    expect(rows[0]).toEqual({ s: '1s', l: '1500ms', i: '2s' });
  });

  it('a statement running past its timeout is cancelled (57014), not left holding a connection', async () => {
    await expect(db.execute(sql`select pg_sleep(3)`)).rejects.toMatchObject({ cause: { code: '57014' } });
    expect((await db.execute<{ one: number }>(sql`select 1 as one`)).rows[0]).toEqual({ one: 1 });
  });
});
