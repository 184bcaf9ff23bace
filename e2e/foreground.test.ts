// npm start's foreground: warnings and errors of every app, nothing routine.
import { describe, expect, it } from 'vitest';
import { createLogger } from '@fieldhand/observability';
// @ts-expect-error: a plain ES module of the zero-dependency start scripts
import { foregroundLine } from '../scripts/lib/foreground.mjs';

const show = foregroundLine as (type: string, app: string, line: string, format: (line: string, app: string) => string) => string | null;
const plain = (line: string, app: string) => `${app} | ${line}`;

function linesOf(log: (logger: ReturnType<typeof createLogger>) => void): string[] {
  const lines: string[] = [];
  const logger = createLogger({ name: 'fg', level: 'info', destination: { write: (l: string) => void lines.push(l.trimEnd()) } });
  log(logger);
  return lines;
}

describe('the foreground of npm start', () => {
  it("shows our apps' warnings and errors and drops their info lines", () => {
    const [info, warn, error] = linesOf((l) => {
      l.info('sync pass finished');
      l.warn('redis connection error');
      l.error('send failed');
    });
    expect(show('out', 'fieldhand-api', info!, plain)).toBeNull();
    expect(show('out', 'fieldhand-api', warn!, plain)).toContain('redis connection error');
    expect(show('out', 'fieldhand-api', error!, plain)).toContain('send failed');
  });

  it('shows other pino apps by number, and any plain line on stderr', () => {
    expect(show('out', 'sandbox', JSON.stringify({ level: 30, msg: 'listening' }), plain)).toBeNull();
    expect(show('out', 'sandbox', JSON.stringify({ level: 50, msg: 'route failed' }), plain)).toContain('route failed');
    expect(show('err', 'fieldhand-api', 'Invalid configuration:', plain)).toBe('fieldhand-api | Invalid configuration:');
    expect(show('out', 'fieldhand-api', 'plain stdout chatter', plain)).toBeNull();
  });
});
