/** `{{firstName}}`-style placeholders; names are identifiers so a typo cannot hide in spaces or symbols. */
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class TemplateError extends Error {
  constructor(message: string, readonly details: { missing?: string[]; invalid?: string[] } = {}) {
    super(message);
    this.name = 'TemplateError';
  }
}

/**
 * Checks a template when it is saved and returns the variables it needs, so a
 * malformed one is refused then, not when a text is about to go out.
 */
export function parseTemplate(template: string): string[] {
  const names = new Set<string>();
  const invalid: string[] = [];
  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = match[1] ?? '';
    if (NAME.test(name)) names.add(name);
    else invalid.push(match[0]);
  }
  // Braces left after removing well-formed placeholders are an unclosed or stray `{{`/`}}`.
  if (/\{\{|\}\}/.test(template.replace(PLACEHOLDER, ''))) invalid.push('unbalanced {{ }}');
  if (invalid.length > 0) throw new TemplateError(`Malformed placeholder(s): ${invalid.join(', ')}`, { invalid });
  return [...names];
}

/** The longest text Twilio accepts (its Message resource refuses a longer Body). */
export const MAX_TEXT_LENGTH = 1_600;

export class TextTooLongError extends Error {
  constructor(readonly length: number) {
    super(`The text is ${length} characters; the limit is ${MAX_TEXT_LENGTH} (Twilio's own)`);
    this.name = 'TextTooLongError';
  }
}

/** Refuses a text longer than Twilio takes: it would hold a sender for minutes and then fail. */
export function assertTextLength(text: string): string {
  if (text.length > MAX_TEXT_LENGTH) throw new TextTooLongError(text.length);
  return text;
}

/**
 * Fills a template; every variable it names must be given (an empty text would go out
 * as "Hi ,"). Only the variables' own keys count: `{{constructor}}` finds nothing on a
 * plain object's prototype.
 */
export function renderTemplate(template: string, vars: Record<string, string | number>): string {
  const needed = parseTemplate(template);
  const value = (name: string) => (Object.hasOwn(vars, name) ? vars[name] : undefined);
  const missing = needed.filter((name) => value(name) === undefined || String(value(name)).trim() === '');
  if (missing.length > 0) throw new TemplateError(`Missing template variable(s): ${missing.join(', ')}`, { missing });
  return assertTextLength(template.replace(PLACEHOLDER, (_m, name: string) => String(value(name))));
}
