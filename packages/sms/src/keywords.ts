/** What an inbound text asks for, by the carrier keywords and the FCC's "any reasonable means" rule. */
export type KeywordIntent = 'opt_out' | 'opt_in' | 'help';

const OPT_OUT = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT']);
const OPT_IN = new Set(['START', 'YES', 'UNSTOP']);
const HELP = new Set(['HELP', 'INFO']);

// Plain-language revocations (FCC, April 2025): the whole text, after light normalisation.
const REVOCATIONS = [
  /^(please )?(stop|quit|cease) (texting|messaging|sending|contacting|txting)( me| (me )?(texts|messages))?( please)?$/,
  /^(please )?(opt|take) me out$/,
  /^(please )?opt( |-)?out( please)?$/,
  /^(please )?unsubscribe me( please)?$/,
  /^(please )?(remove|delete) me( from (your|this|the) (list|texts|messages))?( please)?$/,
  /^(please )?(do not|dont|don't) (text|message|contact) me( again| anymore| any more)?( please)?$/,
  /^(please )?no more (texts|messages)( please)?$/,
  /^leave me alone$/,
];

export function classifyKeyword(body: string): { intent: KeywordIntent; keyword: string } | undefined {
  const trimmed = body.trim();
  const word = trimmed.toUpperCase();
  if (OPT_OUT.has(word)) return { intent: 'opt_out', keyword: word };
  if (OPT_IN.has(word)) return { intent: 'opt_in', keyword: word };
  if (HELP.has(word)) return { intent: 'help', keyword: word };
  const phrase = trimmed.toLowerCase().replace(/[.!,]+/g, ' ').replace(/\s+/g, ' ').trim();
  if (REVOCATIONS.some((pattern) => pattern.test(phrase))) return { intent: 'opt_out', keyword: trimmed.slice(0, 160) };
  return undefined;
}

/** A reply that may answer an appointment reminder. YES stays the carriers' opt-in keyword, never a confirmation. */
export type ReminderAnswer = 'confirm' | 'reschedule';

const CONFIRM = new Set(['C', 'CONFIRM', 'CONFIRMED']);
const RESCHEDULE = new Set(['R', 'RESCHEDULE']);

export function classifyReminderAnswer(body: string): ReminderAnswer | undefined {
  const word = body.replace(/\s+/g, '').replace(/[.!]+$/, '').toUpperCase();
  if (CONFIRM.has(word)) return 'confirm';
  if (RESCHEDULE.has(word)) return 'reschedule';
  return undefined;
}
