import type { AccountRegistry } from '../accounts/account-registry.js';
import type { MessageLedger, SandboxMessage } from '../twilio/message-ledger.js';

export interface ConversationMessage {
  sid: string;
  /** `to-customer` for texts Fieldhand (or Twilio) sent, `from-customer` for replies. */
  direction: 'to-customer' | 'from-customer';
  body: string;
  status: string;
  errorCode: number | null;
  at: string;
}

export interface Conversation {
  /** The customer's phone. */
  phone: string;
  /** The business number the customer last talked with; replies go to it. */
  businessNumber: string;
  optedOut: boolean;
  messages: ConversationMessage[];
}

/** One conversation per customer phone, oldest message first, busiest-recent first. */
export function buildConversations(accounts: AccountRegistry, ledger: MessageLedger): Conversation[] {
  const byPhone = new Map<string, { businessNumber: string; messages: SandboxMessage[] }>();
  for (const message of ledger.all().sort((a, b) => a.dateCreatedMs - b.dateCreatedMs)) {
    const inbound = message.direction === 'inbound';
    const phone = inbound ? message.from : message.to;
    const entry = byPhone.get(phone) ?? { businessNumber: inbound ? message.to : message.from, messages: [] };
    entry.businessNumber = inbound ? message.to : message.from;
    entry.messages.push(message);
    byPhone.set(phone, entry);
  }
  const conversations = [...byPhone.entries()].map(([phone, entry]) => ({
    phone,
    businessNumber: entry.businessNumber,
    optedOut: ledger.isOptedOut(phone, entry.businessNumber),
    owned: accounts.twilioOwnerOf(entry.businessNumber) !== undefined,
    messages: entry.messages.map((m) => ({
      sid: m.sid,
      direction: m.direction === 'inbound' ? ('from-customer' as const) : ('to-customer' as const),
      body: m.body,
      status: m.status,
      errorCode: m.errorCode,
      at: new Date(m.dateCreatedMs).toISOString(),
    })),
  }));
  const lastAt = (c: Conversation): string => c.messages[c.messages.length - 1]?.at ?? '';
  return conversations
    .filter((c) => c.owned || c.businessNumber === '+15005550006')
    .map(({ owned: _owned, ...c }) => c)
    .sort((a, b) => lastAt(b).localeCompare(lastAt(a)));
}
