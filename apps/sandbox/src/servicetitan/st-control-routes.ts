import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AccountRegistry, StAccount } from '../accounts/account-registry.js';
import { ST_RESOURCES, type StResource } from './st-resources.js';
import {
  cancelAppointment,
  cancelJob,
  dispatchAppointment,
  changeContact,
  createAppointment,
  completeJob,
  ConflictError,
  createEstimate,
  dismissEstimate,
  NotFoundError,
  rescheduleAppointment,
  sellEstimate,
} from './world-changes.js';
import type { StRecord } from './generate/context.js';

const isoDate = z.string().datetime({ offset: true }).transform((value) => Date.parse(value));
const schemas = {
  sell: z.object({ soldBy: z.number().int().nullable().default(null) }),
  create: z.object({
    jobId: z.number().int(),
    name: z.string().min(1).default('Sandbox estimate'),
    items: z.array(z.object({ description: z.string().min(1), qty: z.number().positive().default(1), unitRate: z.number().nonnegative() })).min(1),
  }),
  appointment: z.object({
    jobId: z.number().int(),
    /** Minutes from now to the visit's start (the demo's "appointment in N minutes"). */
    startsInMinutes: z.number().int().min(0).max(43_200).optional(),
    /** Or an exact start (tests that need a visit at a given local time). */
    startsAt: isoDate.optional(),
    durationMinutes: z.number().int().min(15).max(1_440).default(120),
  }).refine((value) => (value.startsInMinutes === undefined) !== (value.startsAt === undefined), { message: 'give exactly one of startsInMinutes and startsAt' }),
  reschedule: z.object({ start: isoDate, end: isoDate.optional(), arrivalWindowStart: isoDate.optional(), arrivalWindowEnd: isoDate.optional() }),
  contact: z.object({ value: z.string().min(1).optional(), doNotText: z.boolean().optional() }),
};

type Handler = (account: StAccount, id: number, body: unknown) => StRecord;

/** Wraps a world change: finds the tenant, parses the body, maps errors to statuses. */
function change(accounts: AccountRegistry, handler: Handler) {
  return (req: Request, res: Response): void => {
    const account = accounts.stTenant(Number(req.params['tenant']));
    if (!account) {
      res.status(404).json({ error: `unknown tenant ${String(req.params['tenant'])}` });
      return;
    }
    try {
      res.json(handler(account, Number(req.params['id']), req.body ?? {}));
    } catch (error) {
      if (error instanceof z.ZodError) res.status(400).json({ error: 'invalid body', issues: error.issues });
      else if (error instanceof NotFoundError) res.status(404).json({ error: error.message });
      else if (error instanceof ConflictError) res.status(409).json({ error: error.message });
      else throw error;
    }
  };
}

/** /_sandbox/servicetitan/{tenant}/...: change the world the way ServiceTitan users do. */
export function stControlRoutes(accounts: AccountRegistry): Router {
  const router = Router();
  router.use(express.json());
  router.post('/:tenant/estimates/:id/sell', change(accounts, (a, id, body) => sellEstimate(a.world, id, schemas.sell.parse(body).soldBy)));
  router.post('/:tenant/estimates/:id/dismiss', change(accounts, (a, id) => dismissEstimate(a.world, id)));
  router.post('/:tenant/estimates', change(accounts, (a, _id, body) => {
    const input = schemas.create.parse(body);
    return createEstimate(a.world, input.jobId, input.name, input.items);
  }));
  router.post('/:tenant/appointments', change(accounts, (a, _id, body) => {
    const input = schemas.appointment.parse(body);
    const start = input.startsAt ?? Date.now() + (input.startsInMinutes ?? 0) * 60_000;
    return createAppointment(a.world, input.jobId, { start, durationMinutes: input.durationMinutes });
  }));
  router.post('/:tenant/appointments/:id/reschedule', change(accounts, (a, id, body) => rescheduleAppointment(a.world, id, schemas.reschedule.parse(body))));
  router.post('/:tenant/appointments/:id/cancel', change(accounts, (a, id) => cancelAppointment(a.world, id)));
  router.post('/:tenant/appointments/:id/dispatch', change(accounts, (a, id) => dispatchAppointment(a.world, id)));
  router.post('/:tenant/jobs/:id/cancel', change(accounts, (a, id) => cancelJob(a.world, id)));
  router.post('/:tenant/jobs/:id/complete', change(accounts, (a, id) => completeJob(a.world, id)));
  router.post('/:tenant/customer-contacts/:id', change(accounts, (a, id, body) => changeContact(a.world, 'customerContacts', id, schemas.contact.parse(body))));
  router.post('/:tenant/location-contacts/:id', change(accounts, (a, id, body) => changeContact(a.world, 'locationContacts', id, schemas.contact.parse(body))));
  // The confirmation writes ServiceTitan received for one appointment (PUT and DELETE).
  router.get('/:tenant/appointments/:id/confirmations', (req, res) => {
    const account = accounts.stTenant(Number(req.params['tenant']));
    if (!account) {
      res.status(404).json({ error: `unknown tenant ${String(req.params['tenant'])}` });
      return;
    }
    const appointmentId = Number(req.params['id']);
    res.json({ calls: account.world.confirmationCalls.filter((call) => call.appointmentId === appointmentId) });
  });
  // Read any record by id, handy for tests and for finding ids to change.
  router.get('/:tenant/records/:resource/:id', (req, res) => {
    const account = accounts.stTenant(Number(req.params['tenant']));
    const resource = ST_RESOURCES.find((name) => name === req.params['resource']) as StResource | undefined;
    const record = account && resource ? account.world.findById(resource, Number(req.params['id'])) : undefined;
    if (!record) res.status(404).json({ error: 'not found' });
    else res.json(record);
  });
  return router;
}
