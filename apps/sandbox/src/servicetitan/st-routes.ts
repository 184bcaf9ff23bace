import { Router, type Request, type Response } from 'express';
import type { FaultEngine } from '../faults/fault-engine.js';
import { exportPage, InvalidFromError, startPosition } from './export-page.js';
import { listPage } from './list-page.js';
import { parseListQuery, QueryError } from './list-query.js';
import { sendProblem } from './problem.js';
import { stAccountOf, stAuth } from './st-auth.js';
import { NotFoundError, ConflictError, setAppointmentConfirmation } from './world-changes.js';
import { ST_RESOURCES, ST_ROUTES, type StResource } from './st-resources.js';
import type { StTokenStore } from './token-store.js';

export interface StRouteOptions {
  tokens: StTokenStore;
  faults: FaultEngine;
  /** With includeRecentChanges=true, changes younger than this are served again. */
  recentWindowMs: number;
}

function exportHandler(resource: StResource, options: StRouteOptions) {
  return (req: Request, res: Response): void => {
    const account = stAccountOf(res.locals);
    const from = typeof req.query['from'] === 'string' ? req.query['from'] : undefined;
    const includeRecentChanges = String(req.query['includeRecentChanges'] ?? 'false').toLowerCase() === 'true';
    try {
      const position = startPosition(account.world, resource, from);
      res.json(exportPage(account.world, position, { pageSize: account.exportPageSize, includeRecentChanges, recentWindowMs: options.recentWindowMs, nowMs: Date.now() }));
    } catch (error) {
      if (!(error instanceof InvalidFromError)) throw error;
      sendProblem(res, 400, 'One or more validation errors occurred.', { from: [error.message] });
    }
  };
}

function listHandler(resource: StResource) {
  return (req: Request, res: Response): void => {
    const account = stAccountOf(res.locals);
    try {
      res.json(listPage(account.world, resource, parseListQuery(req)));
    } catch (error) {
      if (!(error instanceof QueryError)) throw error;
      sendProblem(res, 400, 'One or more validation errors occurred.', { [error.field]: [error.message] });
    }
  };
}

/** jpm's Appointments_Confirm (PUT) and Appointments_RemoveConfirmation (DELETE): 200 with no body. */
function confirmationHandler(confirmed: boolean) {
  return (req: Request, res: Response): void => {
    const account = stAccountOf(res.locals);
    const id = Number(req.params['id']);
    if (!Number.isSafeInteger(id) || id <= 0) {
      sendProblem(res, 400, 'One or more validation errors occurred.', { id: ['The value is not a valid appointment id.'] });
      return;
    }
    try {
      setAppointmentConfirmation(account.world, id, confirmed);
      res.status(200).end();
    } catch (error) {
      if (error instanceof NotFoundError) sendProblem(res, 404, 'Appointment was not found');
      else if (error instanceof ConflictError) sendProblem(res, 409, 'Appointment is already confirmed');
      else throw error;
    }
  };
}

/** Export and list endpoints at the paths of the vendor specs, under {api}/{module}/v2. */
export function stRoutes(options: StRouteOptions): Router {
  const router = Router();
  const auth = stAuth(options.tokens, options.faults);
  for (const resource of ST_RESOURCES) {
    const { module, path } = ST_ROUTES[resource];
    router.get(`/${module}/v2/tenant/:tenant/export/${path}`, auth, exportHandler(resource, options));
    router.get(`/${module}/v2/tenant/:tenant/${path}`, auth, listHandler(resource));
  }
  router.put('/jpm/v2/tenant/:tenant/appointments/:id/confirmation', auth, confirmationHandler(true));
  router.delete('/jpm/v2/tenant/:tenant/appointments/:id/confirmation', auth, confirmationHandler(false));
  router.use((_req, res) => sendProblem(res, 404, 'Not Found'));
  return router;
}
