import type { AddressInfo } from 'node:net';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { pino, type Logger } from 'pino';
import { accountRoutes } from './accounts/account-routes.js';
import { AccountRegistry } from './accounts/account-registry.js';
import type { SandboxOptions } from './config.js';
import { FaultEngine } from './faults/fault-engine.js';
import { faultMiddleware } from './faults/fault-middleware.js';
import { faultRoutes } from './faults/fault-routes.js';
import { contactRoutes } from './ghl/contact-routes.js';
import { ghlAuth, ghlRequestRoutes } from './ghl/ghl-auth.js';
import { ghlControlRoutes } from './ghl/ghl-control-routes.js';
import { noteTaskRoutes } from './ghl/note-task-routes.js';
import { opportunityRoutes } from './ghl/opportunity-routes.js';
import { GhlWebhookSigner } from './ghl/webhook-signer.js';
import { phoneDataRoute, phonePageRoute } from './phone/phone-routes.js';
import { VENDOR_PREFIXES, vendorBaseUrls } from './prefixes.js';
import { receiverRoutes } from './receivers/receiver-routes.js';
import { stControlRoutes } from './servicetitan/st-control-routes.js';
import { stRoutes } from './servicetitan/st-routes.js';
import { tokenRoutes } from './servicetitan/token-routes.js';
import { StTokenStore } from './servicetitan/token-store.js';
import { MessageLedger } from './twilio/message-ledger.js';
import { twilioControlRoutes } from './twilio/twilio-control-routes.js';
import { twilioRoutes } from './twilio/twilio-routes.js';

export interface RunningSandbox {
  url: string;
  port: number;
  /** The four vendor base URLs Fieldhand should be given. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export interface Sandbox {
  app: Express;
  accounts: AccountRegistry;
  faults: FaultEngine;
  ledger: MessageLedger;
  ghlSigner: GhlWebhookSigner;
  logger: Logger;
  listen(port?: number, host?: string): Promise<RunningSandbox>;
}

function errorHandler(logger: Logger) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    logger.error({ err: error, method: req.method, url: req.originalUrl }, 'sandbox route failed');
    if (!res.headersSent) res.status(500).json({ error: 'sandbox internal error' });
  };
}

/** Builds the whole fake (ServiceTitan, GHL, Twilio, controls, phone page) as one Express app. */
export function createSandbox(options: SandboxOptions = {}): Sandbox {
  const logger = pino({ name: 'sandbox', level: options.logLevel ?? 'info' });
  const accounts = new AccountRegistry();
  const faults = new FaultEngine(options.faults);
  const ledger = new MessageLedger();
  const ghlSigner = new GhlWebhookSigner(options.ghlSigningKeyPem);
  const stTokens = new StTokenStore(options.stTokenLifetimeSeconds ?? 900);
  const demo = options.demo ? accounts.create(options.demo) : undefined;

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use(VENDOR_PREFIXES.servicetitanAuth, faultMiddleware(faults, 'servicetitan'), tokenRoutes(accounts, stTokens));
  app.use(VENDOR_PREFIXES.servicetitanApi, faultMiddleware(faults, 'servicetitan'), stRoutes({ tokens: stTokens, faults, recentWindowMs: options.stRecentWindowMs ?? 60_000 }));
  app.use(
    VENDOR_PREFIXES.ghl,
    faultMiddleware(faults, 'ghl'),
    ghlAuth(accounts, options.ghlRateLimit ?? { max: 100, intervalMs: 10_000, dailyMax: 200_000 }),
    express.json(),
    contactRoutes(),
    noteTaskRoutes(),
    opportunityRoutes(),
  );
  app.use(VENDOR_PREFIXES.twilio, faultMiddleware(faults, 'twilio'), twilioRoutes({ accounts, ledger, faults, statusStepMs: options.twilioStatusStepMs ?? 1_000 }));

  const control = VENDOR_PREFIXES.control;
  app.use(`${control}/accounts`, accountRoutes(accounts));
  app.use(`${control}/faults`, faultRoutes(faults));
  app.use(`${control}/servicetitan`, stControlRoutes(accounts));
  app.use(`${control}/ghl`, ghlControlRoutes(ghlSigner));
  app.use(`${control}/ghl`, ghlRequestRoutes(accounts));
  app.use(`${control}/twilio`, twilioControlRoutes(accounts, ledger));
  app.use(`${control}/phone`, phoneDataRoute(accounts, ledger, demo));
  app.use(`${control}/receivers`, receiverRoutes(options.receivers));
  app.get(`${control}/health`, (_req, res) => void res.json({ ok: true }));
  app.use(VENDOR_PREFIXES.phone, phonePageRoute(accounts, ledger, demo));
  app.use(errorHandler(logger));

  const listen = (port = 0, host = '127.0.0.1'): Promise<RunningSandbox> =>
    new Promise((resolve, reject) => {
      const server = app.listen(port, host, (error?: Error) => {
        if (error) return reject(error);
        const address = server.address() as AddressInfo;
        const url = `http://${host}:${address.port}`;
        resolve({
          url,
          port: address.port,
          env: vendorBaseUrls(url),
          close: () =>
            new Promise<void>((done) => {
              // Hung-connection faults never answer; cut them so close() completes.
              server.closeAllConnections();
              server.close(() => done());
            }),
        });
      });
    });

  return { app, accounts, faults, ledger, ghlSigner, logger, listen };
}
