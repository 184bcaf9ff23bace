export type Output = { out: (line: string) => void; err: (line: string) => void };

export const processOutput: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Rows as aligned columns, or JSON lines with --json for scripts. */
export function printRows(output: Output, rows: Array<Record<string, unknown>>, columns: string[], json: boolean): void {
  if (json) {
    for (const row of rows) output.out(JSON.stringify(row));
    return;
  }
  const cell = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  output.out(columns.map((c, i) => c.padEnd(widths[i]!)).join('  '));
  for (const row of rows) output.out(columns.map((c, i) => cell(row[c]).padEnd(widths[i]!)).join('  ').trimEnd());
}
