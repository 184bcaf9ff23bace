import type { TwilioAccount } from '../accounts/account-registry.js';
import type { MessageLedger, MessageStatus, SandboxMessage } from './message-ledger.js';
import { API_VERSION } from './message-resource.js';
import { postSignedForm } from './post-signed-form.js';

const ERROR_MESSAGES: Record<number, string> = {
  30003: 'Unreachable destination handset',
  30005: 'Unknown destination handset',
  30006: 'Landline or unreachable carrier',
  30007: 'Message filtered',
  30008: 'Unknown error',
};

export interface LifecycleOptions {
  /** Time between status steps (queued → sent → final). */
  stepMs: number;
  /** Send every status callback twice. */
  duplicate: boolean;
  /** Send the final status callback before the `sent` one. */
  outOfOrder: boolean;
}

/** Timers must not keep a stopping process alive. */
function later(ms: number, run: () => void): void {
  setTimeout(run, ms).unref();
}

function callbackParams(message: SandboxMessage, status: MessageStatus): Record<string, string> {
  const params: Record<string, string> = {
    SmsSid: message.sid,
    SmsStatus: status,
    MessageStatus: status,
    To: message.to,
    From: message.from,
    MessageSid: message.sid,
    AccountSid: message.accountSid,
    ApiVersion: API_VERSION,
  };
  if (message.messagingServiceSid) params['MessagingServiceSid'] = message.messagingServiceSid;
  if (message.errorCode !== null && (status === 'undelivered' || status === 'failed')) params['ErrorCode'] = String(message.errorCode);
  return params;
}

async function notify(account: TwilioAccount, message: SandboxMessage, status: MessageStatus, times: number): Promise<void> {
  const url = message.statusCallback;
  if (!url) return;
  const params = callbackParams(message, status);
  for (let attempt = 0; attempt < times; attempt++) {
    const result = await postSignedForm(url, account.authToken, params);
    message.callbacks.push({ status, url, httpStatus: result.httpStatus, error: result.error, at: new Date().toISOString() });
  }
}

/**
 * Moves a queued message to `sent` and then to its final status (delivered, or the
 * outcome configured for the recipient), POSTing a signed status callback at each step.
 */
export function runLifecycle(account: TwilioAccount, ledger: MessageLedger, message: SandboxMessage, options: LifecycleOptions): void {
  const outcome = ledger.outcomes.get(message.to);
  const finalStatus: MessageStatus = outcome?.status ?? 'delivered';
  const times = options.duplicate ? 2 : 1;
  const toSent = (): void => {
    message.status = 'sent';
    message.dateSentMs = Date.now();
    message.dateUpdatedMs = message.dateSentMs;
  };
  const toFinal = (): void => {
    message.status = finalStatus;
    if (outcome) {
      message.errorCode = outcome.errorCode;
      message.errorMessage = ERROR_MESSAGES[outcome.errorCode] ?? 'Delivery failed';
    }
    message.dateUpdatedMs = Date.now();
  };
  later(options.stepMs, () => {
    toSent();
    if (options.outOfOrder) {
      // The carrier's receipt overtakes the `sent` callback, as happens in production.
      later(options.stepMs, () => {
        toFinal();
        void notify(account, message, finalStatus, times).then(() => notify(account, message, 'sent', times));
      });
      return;
    }
    void notify(account, message, 'sent', times).then(() =>
      later(options.stepMs, () => {
        toFinal();
        void notify(account, message, finalStatus, times);
      }),
    );
  });
}
