// What npm start's foreground shows of the apps' output (no side effects: tests import it).

// Our apps log pino's level labels ("warn"); other pino users log its numbers (40).
const SHOWN_LEVELS = new Set(['warn', 'error', 'fatal', 40, 50, 60]);

/**
 * What the foreground shows of one line an app wrote: pino lines at warn or
 * above, and anything else written to stderr; null for routine output.
 */
export function foregroundLine(type, app, line, format) {
  if (!line.trim()) return null;
  if (line.startsWith('{')) {
    try {
      const entry = JSON.parse(line);
      if (entry.level !== undefined) return SHOWN_LEVELS.has(entry.level) ? format(line, app) : null;
    } catch {
      // not JSON after all: judged by its stream below
    }
  }
  return type === 'err' ? `${app} | ${line}` : null;
}
