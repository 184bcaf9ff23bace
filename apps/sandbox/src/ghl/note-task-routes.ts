import { Router, type Response } from 'express';
import { z } from 'zod';
import type { GhlAccount } from '../accounts/account-registry.js';
import { ghlAccountOf } from './ghl-auth.js';
import type { GhlStore } from './ghl-store.js';

export interface GhlNote { id: string; body: string; userId?: string; title?: string; color?: string; pinned?: boolean; dateAdded: string; contactId: string }
export interface GhlTask { id: string; title: string; body?: string; assignedTo?: string; dueDate: string; completed: boolean; contactId: string }

// NotesDTO and CreateTaskParams of specs/ghl/contacts.json.
const noteSchema = z.object({ body: z.string().min(1), userId: z.string().optional(), title: z.string().optional(), color: z.string().optional(), pinned: z.boolean().optional() });
const taskSchema = z.object({ title: z.string().min(1), body: z.string().optional(), dueDate: z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'must be a date'), completed: z.boolean(), assignedTo: z.string().optional() });

type Activity = { notes: GhlNote[]; tasks: GhlTask[] };
// Kept beside each location's store, not in it: notes and tasks hang off contacts.
const activities = new WeakMap<GhlStore, Map<string, Activity>>();

/** A location's notes and tasks of one contact, as the sandbox holds them (for tests and the routes). */
export function contactActivity(store: GhlStore, contactId: string): Activity {
  let byContact = activities.get(store);
  if (!byContact) activities.set(store, (byContact = new Map()));
  let activity = byContact.get(contactId);
  if (!activity) byContact.set(contactId, (activity = { notes: [], tasks: [] }));
  return activity;
}

const unprocessable = (res: Response, error: z.ZodError) =>
  void res.status(422).json({ statusCode: 422, message: error.issues.map((i) => `${i.path.join('.')} ${i.message}`), error: 'Unprocessable Entity' });

/** The contact of the path in the caller's location, or a 400 as GHL answers for an unknown one. */
function contactOf(account: GhlAccount, contactId: string, res: Response): string | undefined {
  if (account.store.contacts.has(contactId)) return contactId;
  res.status(400).json({ statusCode: 400, message: 'Contact not found' });
  return undefined;
}

/** Contacts' notes and tasks: create and list. */
export function noteTaskRoutes(): Router {
  const router = Router();
  router.get('/contacts/:contactId/notes', (req, res) => {
    const account = ghlAccountOf(res.locals);
    const contactId = contactOf(account, String(req.params['contactId']), res);
    if (contactId) res.json({ notes: contactActivity(account.store, contactId).notes });
  });

  router.post('/contacts/:contactId/notes', (req, res) => {
    const account = ghlAccountOf(res.locals);
    const contactId = contactOf(account, String(req.params['contactId']), res);
    if (!contactId) return;
    const parsed = noteSchema.safeParse(req.body);
    if (!parsed.success) return unprocessable(res, parsed.error);
    const note: GhlNote = { id: account.store.newId(), ...parsed.data, dateAdded: new Date().toISOString(), contactId };
    contactActivity(account.store, contactId).notes.push(note);
    res.status(201).json({ note });
  });

  router.get('/contacts/:contactId/tasks', (req, res) => {
    const account = ghlAccountOf(res.locals);
    const contactId = contactOf(account, String(req.params['contactId']), res);
    if (contactId) res.json({ tasks: contactActivity(account.store, contactId).tasks });
  });

  router.post('/contacts/:contactId/tasks', (req, res) => {
    const account = ghlAccountOf(res.locals);
    const contactId = contactOf(account, String(req.params['contactId']), res);
    if (!contactId) return;
    const parsed = taskSchema.safeParse(req.body);
    if (!parsed.success) return unprocessable(res, parsed.error);
    const task: GhlTask = { id: account.store.newId(), ...parsed.data, dueDate: new Date(parsed.data.dueDate).toISOString(), contactId };
    contactActivity(account.store, contactId).tasks.push(task);
    res.status(201).json({ task });
  });
  return router;
}
