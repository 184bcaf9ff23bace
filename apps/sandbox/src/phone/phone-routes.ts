import { Router } from 'express';
import type { AccountRegistry, AccountSet } from '../accounts/account-registry.js';
import type { MessageLedger } from '../twilio/message-ledger.js';
import { DEMO_DEFAULTS } from '../config.js';
import { buildConversations } from './conversations.js';
import { demoCustomers } from './demo-customers.js';
import { phonePage } from './phone-page.js';

/** The demo account set (the one created at start), if the sandbox has one. */
export type DemoAccount = AccountSet | undefined;

export function phonePageRoute(accounts: AccountRegistry, ledger: MessageLedger, demo: DemoAccount): Router {
  const router = Router();
  router.get('/', (_req, res) => {
    res.type('html').send(phonePage(buildConversations(accounts, ledger), demo ? demoCustomers(demo) : [], demo ? DEMO_DEFAULTS.officePhone : undefined));
  });
  return router;
}

export function phoneDataRoute(accounts: AccountRegistry, ledger: MessageLedger, demo: DemoAccount): Router {
  const router = Router();
  router.get('/conversations', (_req, res) => {
    res.json(buildConversations(accounts, ledger));
  });
  router.get('/customers', (_req, res) => {
    res.json(demo ? demoCustomers(demo) : []);
  });
  return router;
}
