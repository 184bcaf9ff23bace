import express, { Router } from 'express';
import { AccountConflictError, describeAccountSet, type AccountRegistry } from './account-registry.js';
import { accountSpecSchema } from './account-spec.js';

/** POST creates an isolated account set (own seed and size); GET lists them with credentials. */
export function accountRoutes(accounts: AccountRegistry): Router {
  const router = Router();
  router.use(express.json());
  router.get('/', (_req, res) => {
    res.json(accounts.all().map(describeAccountSet));
  });
  router.post('/', (req, res) => {
    const parsed = accountSpecSchema.safeParse(req.body ?? {});
    if (!parsed.success) return void res.status(400).json({ error: 'invalid account spec', issues: parsed.error.issues });
    try {
      res.status(201).json(describeAccountSet(accounts.create(parsed.data)));
    } catch (error) {
      if (!(error instanceof AccountConflictError)) throw error;
      res.status(409).json({ error: error.message });
    }
  });
  return router;
}
