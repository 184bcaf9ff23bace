import { Router } from 'express';
import type { AccountRegistry } from '../accounts/account-registry.js';
import type { MessageLedger } from '../twilio/message-ledger.js';
import { buildConversations } from './conversations.js';
import { phonePage } from './phone-page.js';

export function phonePageRoute(accounts: AccountRegistry, ledger: MessageLedger): Router {
  const router = Router();
  router.get('/', (_req, res) => {
    res.type('html').send(phonePage(buildConversations(accounts, ledger)));
  });
  return router;
}

export function phoneDataRoute(accounts: AccountRegistry, ledger: MessageLedger): Router {
  const router = Router();
  router.get('/conversations', (_req, res) => {
    res.json(buildConversations(accounts, ledger));
  });
  return router;
}
