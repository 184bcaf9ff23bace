import pg from './pg.js';

/**
 * A statement PREPAREd once per connection and run by EXECUTE with its values inlined
 * (escaped by pg): several can then share one simple-query round trip, and PostgreSQL
 * plans none of them again (planning was a quarter of its CPU per send).
 */
export class SessionStatement {
  private static readonly preparedOn = new WeakMap<pg.ClientBase, Set<string>>();

  constructor(
    readonly name: string,
    private readonly definition: string,
  ) {}

  execute(...values: Array<string | null>): SessionSql {
    return { statement: this, text: `execute ${this.name}(${values.map((v) => (v === null ? 'null' : pg.escapeLiteral(v))).join(', ')})` };
  }

  /** The statements as one query text for `client`, preceded by the PREPAREs it has not run yet. */
  static batch(client: pg.ClientBase, parts: Array<string | SessionSql>): { text: string; prepared: () => void } {
    const done = SessionStatement.preparedOn.get(client) ?? new Set<string>();
    const missing = [...new Set(parts.flatMap((p) => (typeof p === 'string' || done.has(p.statement.name) ? [] : [p.statement])))];
    const text = [...missing.map((st) => `prepare ${st.name} ${st.definition}`), ...parts.map((p) => (typeof p === 'string' ? p : p.text))].join(';\n');
    // Recorded only once the query succeeded; a connection whose query failed is discarded.
    return { text, prepared: () => SessionStatement.preparedOn.set(client, new Set([...done, ...missing.map((st) => st.name)])) };
  }
}

export type SessionSql = { statement: SessionStatement; text: string };
