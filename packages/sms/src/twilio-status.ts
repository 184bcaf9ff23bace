// Twilio's queued/accepted/sending/scheduled all mean "Twilio has it, not yet sent".
const LEDGER_STATUS: Record<string, string> = { queued: 'accepted', accepted: 'accepted', sending: 'accepted', scheduled: 'accepted' };

/** The ledger's status for a Twilio MessageStatus; the rest (sent, delivered, failed, …) keep Twilio's word. */
export function ledgerStatus(twilioStatus: string): string {
  return LEDGER_STATUS[twilioStatus] ?? twilioStatus;
}
