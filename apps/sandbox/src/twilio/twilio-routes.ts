import express, { Router, type Request, type Response } from 'express';
import type { AccountRegistry, TwilioAccount } from '../accounts/account-registry.js';
import type { FaultEngine } from '../faults/fault-engine.js';
import { listMessages } from './list-messages.js';
import type { MessageLedger } from './message-ledger.js';
import { runLifecycle } from './message-lifecycle.js';
import { API_VERSION, messageResource } from './message-resource.js';
import { sendMessage, type SendParams } from './send-message.js';
import { TwilioError } from './twilio-error.js';

export interface TwilioRouteOptions {
  accounts: AccountRegistry;
  ledger: MessageLedger;
  faults: FaultEngine;
  statusStepMs: number;
}

/** Basic auth with AccountSid:AuthToken, for the account named in the path. */
function authenticate(req: Request, accounts: AccountRegistry): TwilioAccount {
  const [scheme, encoded] = (req.get('Authorization') ?? '').split(' ');
  const [user, ...rest] = scheme?.toLowerCase() === 'basic' && encoded ? Buffer.from(encoded, 'base64').toString('utf8').split(':') : [];
  const account = user ? accounts.twilioAccount(user) : undefined;
  if (!account || rest.join(':') !== account.authToken || user !== req.params['accountSid']) {
    throw new TwilioError(401, 20003, 'Authenticate');
  }
  return account;
}

function handle(run: (req: Request, res: Response) => void) {
  return (req: Request, res: Response): void => {
    try {
      run(req, res);
    } catch (error) {
      if (!(error instanceof TwilioError)) throw error;
      if (error.status === 401) res.setHeader('WWW-Authenticate', 'Basic realm="Twilio API"');
      res.status(error.status).json(error.toJSON());
    }
  };
}

/** Programmable Messaging: send, list and fetch messages. */
export function twilioRoutes(options: TwilioRouteOptions): Router {
  const { accounts, ledger, faults } = options;
  const router = Router();
  const base = `/${API_VERSION}/Accounts/:accountSid`;
  router.post(`${base}/Messages.json`, express.urlencoded({ extended: false }), handle((req, res) => {
    const account = authenticate(req, accounts);
    const message = sendMessage(account, ledger, (req.body ?? {}) as SendParams);
    const fired = faults.roll({ vendor: 'twilio', method: req.method, path: req.originalUrl.split('?')[0] ?? '' }, ['duplicate-callback', 'out-of-order-callback']);
    runLifecycle(account, ledger, message, {
      stepMs: options.statusStepMs,
      duplicate: fired.some((rule) => rule.kind === 'duplicate-callback'),
      outOfOrder: fired.some((rule) => rule.kind === 'out-of-order-callback'),
    });
    res.status(201).json(messageResource(message));
  }));
  router.get(`${base}/Messages.json`, handle((req, res) => {
    const account = authenticate(req, accounts);
    res.json(listMessages(req, account.accountSid, ledger.list(account.accountSid)));
  }));
  router.get(`${base}/Messages/:messageSid.json`, handle((req, res) => {
    const account = authenticate(req, accounts);
    const message = ledger.get(account.accountSid, String(req.params['messageSid']));
    if (!message) throw new TwilioError(404, 20404, `The requested resource ${req.path} was not found`);
    res.json(messageResource(message));
  }));
  router.use((req, res) => {
    res.status(404).json(new TwilioError(404, 20404, `The requested resource ${req.path} was not found`).toJSON());
  });
  return router;
}
