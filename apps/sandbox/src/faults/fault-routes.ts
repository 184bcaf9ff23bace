import express, { Router } from 'express';
import type { FaultEngine } from './fault-engine.js';
import { faultConfigSchema } from './fault-rules.js';

/** GET shows rules and recent injections; PUT replaces them (re-seeding the dice); DELETE clears. */
export function faultRoutes(engine: FaultEngine): Router {
  const router = Router();
  router.use(express.json());
  router.get('/', (_req, res) => {
    res.json(engine.describe());
  });
  router.put('/', (req, res) => {
    const parsed = faultConfigSchema.safeParse(req.body);
    if (!parsed.success) return void res.status(400).json({ error: 'invalid fault config', issues: parsed.error.issues });
    engine.configure(parsed.data);
    res.json(engine.describe());
  });
  router.delete('/', (_req, res) => {
    engine.clear();
    res.json(engine.describe());
  });
  return router;
}

