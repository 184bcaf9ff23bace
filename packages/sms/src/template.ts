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

/** Fills a template; every variable it names must be given (an empty text would go out as "Hi ,"). */
export function renderTemplate(template: string, vars: Record<string, string | number>): string {
  const needed = parseTemplate(template);
  const missing = needed.filter((name) => vars[name] === undefined || String(vars[name]).trim() === '');
  if (missing.length > 0) throw new TemplateError(`Missing template variable(s): ${missing.join(', ')}`, { missing });
  return template.replace(PLACEHOLDER, (_m, name: string) => String(vars[name]));
}
