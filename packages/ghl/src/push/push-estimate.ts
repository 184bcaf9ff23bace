import {
  claimVendorWrite,
  findEstimateForGhl,
  findEstimateLink,
  findTenant,
  linkCustomersToContacts,
  listPushableEstimates,
  recordVendorWrite,
  saveEstimateLink,
  settleVendorWrite,
  lockEstimatePush,
  type GhlEstimateLinkRow,
  type GhlEstimatePipeline,
} from '@fieldhand/db';
import { NEW_WORK_PRIORITY, UnrecoverableError, type FieldhandCatalog, type JobData } from '@fieldhand/queues';
import type { GhlClient, GhlOpportunityRecord } from '../client/ghl-client.js';
import { contactForCustomer } from './contact-for-customer.js';
import { estimatePipelineVersion, wantedOpportunity, type WantedOpportunity } from './estimate-pipeline.js';
import { findPushedOpportunity } from './find-pushed-opportunity.js';
import type { GhlPushDeps } from './push-deps.js';
import { forJob, isPermanentGhlError, type PushOutcome } from './push-outcome.js';

type EstimateJob = JobData<FieldhandCatalog, 'ghl.push-estimate'>;

// A push of every estimate waits behind new work (a fresh estimate, a status change).
const PUSH_ALL_PRIORITY = NEW_WORK_PRIORITY * 2;

/**
 * Makes the estimate's one GHL opportunity in the tenant's estimate pipeline match it:
 * created once (through the vendor write ledger), then updated by id. Every push of one
 * estimate holds its advisory lock, so twin jobs and a status change racing a push-all
 * take turns and the later one sees the earlier one's link.
 */
export async function pushEstimate(deps: GhlPushDeps, data: EstimateJob): Promise<PushOutcome> {
  const setting = (await findTenant(deps.db, data.tenantId))?.ghl?.estimatePipeline;
  if (!setting) return { status: 'skipped', reason: 'the tenant has no GHL estimate pipeline' };
  const release = await lockEstimatePush(deps.db, data.tenantId, data.estimateId);
  try {
    return await pushLocked(deps, setting, data);
  } catch (error) {
    throw forJob(error);
  } finally {
    await release();
  }
}

async function pushLocked(deps: GhlPushDeps, setting: GhlEstimatePipeline, data: EstimateJob): Promise<PushOutcome> {
  const { tenantId, estimateId } = data;
  const estimate = await findEstimateForGhl(deps.db, tenantId, estimateId);
  if (!estimate) return { status: 'skipped', reason: `estimate ${estimateId} is not synced` };
  const wanted = wantedOpportunity(estimate, setting);
  const link = await findEstimateLink(deps.db, tenantId, estimateId, setting.pipelineId);
  if (link) return updateOpportunity(deps, await deps.clients(tenantId), link, wanted);
  if (estimate.customerId === null) return { status: 'skipped', reason: `estimate ${estimateId} has no customer` };

  const client = await deps.clients(tenantId);
  const contact = await contactForCustomer(deps, client, tenantId, estimate.customerId);
  if ('status' in contact) return contact;
  const { contactId } = contact;
  const { write } = await recordVendorWrite(deps.db, {
    tenantId,
    vendor: 'ghl',
    operation: 'create-opportunity',
    key: `ghl-opportunity:${setting.pipelineId}:${estimateId}`,
    target: { estimateId, pipelineId: setting.pipelineId, contactId, name: wanted.name },
  });
  if (write.status === 'failed') throw new UnrecoverableError(`GHL refused the opportunity of estimate ${estimateId} before: ${write.lastError ?? 'no detail'}`);
  // Done without a link cannot happen (both are written in one transaction); a claim that
  // fails means the same. We hold the estimate's lock, so a row left `sending` is an
  // attempt whose worker died or whose answer was lost: claimable at once.
  const claimed = write.status === 'done' ? undefined : await claimVendorWrite(deps.db, write.id, new Date(Date.now() + 1));
  if (!claimed) throw new Error(`vendor write ${write.id} of estimate ${estimateId} is ${write.status} without a link`);

  const base = { tenantId, stEstimateId: estimateId, pipelineId: setting.pipelineId, ghlContactId: contactId };
  try {
    // GHL has no idempotency key: an earlier attempt may have created it before its answer was lost.
    if (claimed.attempts > 1) {
      const found = await findPushedOpportunity(client, { contactId, pipelineId: setting.pipelineId, estimateId });
      if (found) {
        const adopted = { ...base, ghlOpportunityId: found.id, ...pushedOf(found) };
        await deps.db.transaction(async (tx) => {
          await settleVendorWrite(tx, write.id, { status: 'done', responseStatus: 200 });
          await saveEstimateLink(tx, adopted);
        });
        deps.logger.info({ estimateId, opportunityId: found.id, attempts: claimed.attempts }, 'GHL opportunity of an earlier attempt adopted');
        const converged = await updateOpportunity(deps, client, { ...adopted, createdAt: new Date(), pushedAt: new Date(), pushedStageId: adopted.pushedStageId ?? null, pushedValue: adopted.pushedValue ?? null }, wanted);
        return { status: 'adopted', opportunityId: converged.status === 'skipped' ? found.id : converged.opportunityId };
      }
    }
    const created = await client.createOpportunity({
      pipelineId: setting.pipelineId,
      // A new opportunity needs a stage: without a won or lost stage it starts in the open one.
      pipelineStageId: wanted.stageId ?? setting.openStageId,
      name: wanted.name,
      status: wanted.status,
      contactId,
      monetaryValue: wanted.monetaryValue,
    });
    await deps.db.transaction(async (tx) => {
      await settleVendorWrite(tx, write.id, { status: 'done', responseStatus: 201 });
      await saveEstimateLink(tx, { ...base, ghlOpportunityId: created.id, pushedName: wanted.name, pushedStatus: wanted.status, pushedStageId: wanted.stageId ?? setting.openStageId, pushedValue: wanted.monetaryValue.toFixed(2) });
    });
    deps.logger.info({ estimateId, opportunityId: created.id }, 'GHL opportunity created for a ServiceTitan estimate');
    return { status: 'created', opportunityId: created.id };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // Pending again, attempts counted: the next attempt searches before it creates.
    await settleVendorWrite(deps.db, write.id, { status: isPermanentGhlError(error) ? 'failed' : 'pending', error: message.slice(0, 2_000), responseStatus: (error as { statusCode?: number }).statusCode ?? null });
    throw error;
  }
}

/** What an opportunity found at GHL holds, as a link records it. */
function pushedOf(found: GhlOpportunityRecord): Pick<GhlEstimateLinkRow, 'pushedName' | 'pushedStatus' | 'pushedStageId' | 'pushedValue'> {
  const value = Number(found.monetaryValue);
  return {
    pushedName: typeof found.name === 'string' ? found.name : '',
    pushedStatus: typeof found.status === 'string' ? found.status : 'open',
    pushedStageId: typeof found.pipelineStageId === 'string' ? found.pipelineStageId : null,
    pushedValue: Number.isFinite(value) ? value.toFixed(2) : null,
  };
}

/**
 * Updates by id what differs from what we last wrote: name, value and stage with
 * PUT /opportunities/{id}, the status with PUT /opportunities/{id}/status. Both set
 * absolute values, so repeating them after a lost answer does no harm.
 */
async function updateOpportunity(deps: GhlPushDeps, client: GhlClient, link: GhlEstimateLinkRow, wanted: WantedOpportunity): Promise<PushOutcome> {
  const id = link.ghlOpportunityId;
  const stageId = wanted.stageId ?? link.pushedStageId;
  const fieldsDiffer = link.pushedName !== wanted.name || Number(link.pushedValue ?? NaN) !== wanted.monetaryValue || (wanted.stageId !== undefined && link.pushedStageId !== wanted.stageId);
  const statusDiffers = link.pushedStatus !== wanted.status;
  if (!fieldsDiffer && !statusDiffers) return { status: 'unchanged', opportunityId: id };
  if (fieldsDiffer) await client.updateOpportunity(id, { name: wanted.name, monetaryValue: wanted.monetaryValue, ...(wanted.stageId ? { pipelineStageId: wanted.stageId } : {}) });
  if (statusDiffers) await client.updateOpportunityStatus(id, wanted.status);
  await saveEstimateLink(deps.db, {
    tenantId: link.tenantId,
    stEstimateId: link.stEstimateId,
    pipelineId: link.pipelineId,
    ghlOpportunityId: id,
    ghlContactId: link.ghlContactId,
    pushedName: wanted.name,
    pushedStatus: wanted.status,
    pushedStageId: stageId,
    pushedValue: wanted.monetaryValue.toFixed(2),
  });
  deps.logger.info({ estimateId: link.stEstimateId, opportunityId: id, status: wanted.status, stageId }, 'GHL opportunity updated');
  return { status: 'updated', opportunityId: id };
}

/**
 * Every estimate of the tenant whose customer is linked or linkable gets a
 * ghl.push-estimate, under an id from the estimate, its last change and the setting, so a
 * retried push-all adds nothing and a later setting pushes again.
 */
export async function pushEstimates(deps: GhlPushDeps, data: JobData<FieldhandCatalog, 'ghl.push-estimates'>): Promise<{ status: 'skipped'; reason: string } | { status: 'enqueued'; estimates: number; linked: number }> {
  const setting = (await findTenant(deps.db, data.tenantId))?.ghl?.estimatePipeline;
  if (!setting) return { status: 'skipped', reason: 'the tenant has no GHL estimate pipeline' };
  const links = await linkCustomersToContacts(deps.db, data.tenantId);
  const estimates = await listPushableEstimates(deps.db, data.tenantId);
  const version = estimatePipelineVersion(setting);
  for (const estimate of estimates) {
    await deps.bus.enqueue('ghl.push-estimate', { tenantId: data.tenantId, estimateId: estimate.id }, { jobId: `ghl-est-${data.tenantId}-${estimate.id}-${version}-${estimate.modifiedOn.getTime()}`, priority: PUSH_ALL_PRIORITY });
  }
  deps.logger.info({ estimates: estimates.length, ...links }, 'every estimate of the tenant enqueued for GHL');
  return { status: 'enqueued', estimates: estimates.length, linked: links.byPhone + links.byEmail };
}
