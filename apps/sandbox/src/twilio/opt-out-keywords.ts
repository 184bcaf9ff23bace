/** Twilio's default opt-out handling: the whole body, trimmed, case-insensitive. */
const OPT_OUT = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT'];
const OPT_IN = ['START', 'YES', 'UNSTOP'];
const HELP = ['HELP', 'INFO'];

export type OptOutType = 'STOP' | 'START' | 'HELP';

export function optOutTypeOf(body: string): OptOutType | undefined {
  const word = body.trim().toUpperCase();
  if (OPT_OUT.includes(word)) return 'STOP';
  if (OPT_IN.includes(word)) return 'START';
  if (HELP.includes(word)) return 'HELP';
  return undefined;
}
