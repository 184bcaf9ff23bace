import { randomBytes } from 'node:crypto';

export type MessageStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'undelivered' | 'failed' | 'received';

export interface CallbackAttempt {
  status: string;
  url: string;
  httpStatus: number | null;
  error: string | null;
  at: string;
}

export interface SandboxMessage {
  sid: string;
  accountSid: string;
  direction: 'outbound-api' | 'outbound-reply' | 'inbound';
  from: string;
  to: string;
  body: string;
  status: MessageStatus;
  errorCode: number | null;
  errorMessage: string | null;
  numSegments: number;
  messagingServiceSid: string | null;
  statusCallback: string | null;
  dateCreatedMs: number;
  dateUpdatedMs: number;
  dateSentMs: number | null;
  callbacks: CallbackAttempt[];
  /** Inbound only: how Fieldhand's webhook answered. */
  webhook?: { url: string; httpStatus: number | null; error: string | null } | undefined;
}

export interface DeliveryOutcome {
  status: 'undelivered' | 'failed';
  errorCode: number;
}

const MAX_MESSAGES_PER_ACCOUNT = 10_000;

export function newSid(prefix: 'SM' | 'MM'): string {
  return prefix + randomBytes(16).toString('hex');
}

/** Every text the sandbox has seen, per account, newest last; bounded so it cannot grow forever. */
export class MessageLedger {
  private readonly byAccount = new Map<string, SandboxMessage[]>();
  private readonly bySid = new Map<string, SandboxMessage>();
  /** `${customer}|${sender}` pairs where the customer texted STOP to that sender. */
  private readonly optOuts = new Set<string>();
  /** Configured delivery failures by recipient number. */
  readonly outcomes = new Map<string, DeliveryOutcome>();

  add(message: SandboxMessage): void {
    const list = this.byAccount.get(message.accountSid) ?? [];
    list.push(message);
    if (list.length > MAX_MESSAGES_PER_ACCOUNT) {
      const dropped = list.shift();
      if (dropped) this.bySid.delete(dropped.sid);
    }
    this.byAccount.set(message.accountSid, list);
    this.bySid.set(message.sid, message);
  }

  get(accountSid: string, sid: string): SandboxMessage | undefined {
    const message = this.bySid.get(sid);
    return message?.accountSid === accountSid ? message : undefined;
  }

  list(accountSid: string): readonly SandboxMessage[] {
    return this.byAccount.get(accountSid) ?? [];
  }

  all(): SandboxMessage[] {
    return [...this.byAccount.values()].flat();
  }

  setOptOut(customer: string, sender: string, optedOut: boolean): void {
    const key = `${customer}|${sender}`;
    if (optedOut) this.optOuts.add(key);
    else this.optOuts.delete(key);
  }

  isOptedOut(customer: string, sender: string): boolean {
    return this.optOuts.has(`${customer}|${sender}`);
  }
}
