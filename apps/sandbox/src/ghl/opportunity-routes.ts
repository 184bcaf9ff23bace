import { Router, type Response } from 'express';
import { z } from 'zod';
import type { GhlAccount } from '../accounts/account-registry.js';
import { ghlAccountOf, sameLocation } from './ghl-auth.js';
import type { GhlOpportunity } from './ghl-types.js';

const status = z.enum(['open', 'won', 'lost', 'abandoned']);
const createSchema = z.object({
  pipelineId: z.string(),
  locationId: z.string(),
  name: z.string().min(1),
  pipelineStageId: z.string().optional(),
  status,
  contactId: z.string(),
  monetaryValue: z.number().optional(),
  assignedTo: z.string().optional(),
});
const updateSchema = createSchema.omit({ locationId: true, contactId: true }).partial();
const statusSchema = z.object({ status, lostReasonId: z.string().optional() });

function unprocessable(res: Response, error: z.ZodError): void {
  res.status(422).json({ statusCode: 422, message: error.issues.map((i) => `${i.path.join('.')} ${i.message}`), error: 'Unprocessable Entity' });
}

/** The opportunity as search and create return it, with its contact embedded. */
function opportunityView(account: GhlAccount, opportunity: GhlOpportunity): Record<string, unknown> {
  const contact = account.store.contacts.get(opportunity.contactId);
  return {
    ...opportunity,
    lastActionDate: opportunity.updatedAt,
    contact: contact
      ? { id: contact.id, name: contact.name ?? '', companyName: contact.companyName ?? '', email: contact.email ?? '', phone: contact.phone ?? '', tags: contact.tags }
      : undefined,
    notes: [],
    tasks: [],
    calendarEvents: [],
    followers: [],
  };
}

function validStage(account: GhlAccount, pipelineId: string, stageId: string | undefined): boolean {
  const pipeline = account.store.pipelines.find((p) => p.id === pipelineId);
  return Boolean(pipeline && (stageId === undefined || pipeline.stages.some((s) => s.id === stageId)));
}

/** Opportunities: search, create, update, status; pipelines. */
export function opportunityRoutes(): Router {
  const router = Router();
  router.get('/opportunities/pipelines', (req, res) => {
    const account = ghlAccountOf(res.locals);
    if (!sameLocation(account, req.query['locationId'])) return void res.status(403).json({ statusCode: 403, message: 'The token does not have access to this location.' });
    res.json({ pipelines: account.store.pipelines });
  });

  router.get('/opportunities/search', (req, res) => {
    const account = ghlAccountOf(res.locals);
    const q = req.query as Record<string, string | undefined>;
    if (!sameLocation(account, q['location_id'])) return void res.status(403).json({ statusCode: 403, message: 'The token does not have access to this location.' });
    const limit = Math.min(100, Math.max(1, Number(q['limit'] ?? 20) || 20));
    const wanted = q['status'] && q['status'] !== 'all' ? q['status'] : undefined;
    // Newest first; the cursor is (createdAt ms, id) of the last item seen.
    const sorted = [...account.store.opportunities.values()]
      .filter((o) => (!q['pipeline_id'] || o.pipelineId === q['pipeline_id']) && (!q['pipeline_stage_id'] || o.pipelineStageId === q['pipeline_stage_id']))
      .filter((o) => (!q['contact_id'] || o.contactId === q['contact_id']) && (!wanted || o.status === wanted) && (!q['id'] || o.id === q['id']))
      .filter((o) => !q['q'] || o.name.toLowerCase().includes(q['q'].toLowerCase()))
      // Ties by id in code-unit order, the order the startAfterId comparison below uses.
      .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || (b.id < a.id ? -1 : b.id > a.id ? 1 : 0));
    let start = 0;
    if (q['startAfter'] && q['startAfterId']) {
      const afterMs = Number(q['startAfter']);
      const afterId = q['startAfterId'];
      const next = sorted.findIndex((o) => Date.parse(o.createdAt) < afterMs || (Date.parse(o.createdAt) === afterMs && o.id < afterId));
      start = next === -1 ? sorted.length : next;
    }
    const page = sorted.slice(start, start + limit);
    const last = page[page.length - 1];
    const meta: Record<string, unknown> = { total: sorted.length, currentPage: Math.floor(start / limit) + 1 };
    if (last && start + limit < sorted.length) {
      meta['startAfterId'] = last.id;
      meta['startAfter'] = Date.parse(last.createdAt);
      meta['nextPage'] = Math.floor(start / limit) + 2;
      meta['nextPageUrl'] = `/opportunities/search?location_id=${account.locationId}&limit=${limit}&startAfter=${Date.parse(last.createdAt)}&startAfterId=${last.id}`;
    }
    res.json({ opportunities: page.map((o) => opportunityView(account, o)), meta, aggregations: {} });
  });

  // GET /opportunities/{id} (get-opportunity): after search and pipelines, which it would otherwise shadow.
  router.get('/opportunities/:id', (req, res) => {
    const account = ghlAccountOf(res.locals);
    const opportunity = account.store.opportunities.get(String(req.params['id']));
    if (!opportunity) return void res.status(400).json({ statusCode: 400, message: 'Opportunity not found' });
    res.json({ opportunity: opportunityView(account, opportunity) });
  });

  router.post('/opportunities/', (req, res) => {
    const account = ghlAccountOf(res.locals);
    const parsed = createSchema.safeParse(req.body);
    if (!parsed.success) return void unprocessable(res, parsed.error);
    const input = parsed.data;
    if (!sameLocation(account, input.locationId)) return void res.status(403).json({ statusCode: 403, message: 'The token does not have access to this location.' });
    if (!account.store.contacts.has(input.contactId)) return void res.status(400).json({ statusCode: 400, message: 'Contact not found' });
    if (!validStage(account, input.pipelineId, input.pipelineStageId)) return void res.status(400).json({ statusCode: 400, message: 'Pipeline or stage not found' });
    const stageId = input.pipelineStageId ?? account.store.pipelines.find((p) => p.id === input.pipelineId)?.stages[0]?.id ?? '';
    const opportunity = account.store.createOpportunity({
      name: input.name,
      monetaryValue: input.monetaryValue ?? 0,
      pipelineId: input.pipelineId,
      pipelineStageId: stageId,
      status: input.status,
      contactId: input.contactId,
      locationId: input.locationId,
      ...(input.assignedTo ? { assignedTo: input.assignedTo } : {}),
    });
    res.status(201).json({ opportunity: opportunityView(account, opportunity) });
  });

  router.put('/opportunities/:id/status', (req, res) => {
    const account = ghlAccountOf(res.locals);
    const opportunity = account.store.opportunities.get(String(req.params['id']));
    if (!opportunity) return void res.status(400).json({ statusCode: 400, message: 'Opportunity not found' });
    const parsed = statusSchema.safeParse(req.body);
    if (!parsed.success) return void unprocessable(res, parsed.error);
    account.store.setOpportunityStatus(opportunity, parsed.data.status);
    if (parsed.data.lostReasonId) opportunity.lostReasonId = parsed.data.lostReasonId;
    res.json({ succeded: true });
  });

  router.put('/opportunities/:id', (req, res) => {
    const account = ghlAccountOf(res.locals);
    const opportunity = account.store.opportunities.get(String(req.params['id']));
    if (!opportunity) return void res.status(400).json({ statusCode: 400, message: 'Opportunity not found' });
    const parsed = updateSchema.safeParse(req.body);
    if (!parsed.success) return void unprocessable(res, parsed.error);
    const { status: newStatus, ...fields } = parsed.data;
    const pipelineId = fields.pipelineId ?? opportunity.pipelineId;
    if (!validStage(account, pipelineId, fields.pipelineStageId)) return void res.status(400).json({ statusCode: 400, message: 'Pipeline or stage not found' });
    if (fields.pipelineStageId && fields.pipelineStageId !== opportunity.pipelineStageId) opportunity.lastStageChangeAt = new Date().toISOString();
    Object.assign(opportunity, fields);
    if (newStatus) account.store.setOpportunityStatus(opportunity, newStatus);
    opportunity.updatedAt = new Date().toISOString();
    res.json({ opportunity: opportunityView(account, opportunity) });
  });
  return router;
}
