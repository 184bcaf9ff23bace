import { createHash } from 'node:crypto';
import { listGhlPipelines, type Executor, type GhlEstimatePipeline, type GhlPushEstimate } from '@fieldhand/db';
import type { FieldhandCatalog, OutboxJob } from '@fieldhand/queues';

export type EstimatePipelineProblem = { path: string; message: string };

/**
 * Checks a tenant's estimate pipeline against the pipelines the sync brought in: the
 * pipeline must be one of them and each stage one of its stages. No problems: [].
 */
export async function checkEstimatePipeline(db: Executor, tenantId: string, setting: GhlEstimatePipeline): Promise<EstimatePipelineProblem[]> {
  const pipelines = await listGhlPipelines(db, tenantId);
  const pipeline = pipelines.find((p) => p.id === setting.pipelineId);
  if (!pipeline) {
    const known = pipelines.length === 0 ? 'none are synced yet (set it once the GHL sync has run)' : `synced: ${pipelines.map((p) => p.id).join(', ')}`;
    return [{ path: 'ghl.estimatePipeline.pipelineId', message: `GHL pipeline ${setting.pipelineId} is not one of the tenant's synced pipelines (${known})` }];
  }
  const problems: EstimatePipelineProblem[] = [];
  for (const field of ['openStageId', 'soldStageId', 'lostStageId'] as const) {
    const stageId = setting[field];
    if (stageId !== undefined && !pipeline.stageIds.includes(stageId)) {
      problems.push({ path: `ghl.estimatePipeline.${field}`, message: `GHL stage ${stageId} is not a stage of pipeline ${pipeline.id}` });
    }
  }
  return problems;
}

/** A short digest of the setting: job ids of one push-all differ from another's. */
export function estimatePipelineVersion(setting: GhlEstimatePipeline): string {
  const canonical = JSON.stringify([setting.pipelineId, setting.openStageId, setting.soldStageId ?? null, setting.lostStageId ?? null]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 12);
}

export function sameEstimatePipeline(a: GhlEstimatePipeline | undefined | null, b: GhlEstimatePipeline | undefined | null): boolean {
  if (!a || !b) return !a && !b;
  return estimatePipelineVersion(a) === estimatePipelineVersion(b);
}

/** The outbox job that pushes every estimate once a (changed) estimate pipeline is saved. */
export function pushEstimatesJob(tenantId: string, setting: GhlEstimatePipeline, savedAt: Date): OutboxJob<FieldhandCatalog> & { tenantId: string } {
  return { name: 'ghl.push-estimates', jobId: `ghl-ests-${tenantId}-${estimatePipelineVersion(setting)}-${savedAt.getTime()}`, tenantId, data: { tenantId } };
}

export type OpportunityStatus = 'open' | 'won' | 'lost';

/** What GHL should hold for an estimate: the name carries the ServiceTitan id, so a retry can find it. */
export type WantedOpportunity = { name: string; status: OpportunityStatus; stageId: string | undefined; monetaryValue: number };

/** The marker a retry looks for in an opportunity's name. */
export const estimateMarker = (estimateId: number): string => `(ST #${estimateId})`;

export function wantedOpportunity(estimate: GhlPushEstimate, setting: GhlEstimatePipeline): WantedOpportunity {
  const status: OpportunityStatus = estimate.status === 'Sold' ? 'won' : estimate.status === 'Dismissed' ? 'lost' : 'open';
  // Without a won or lost stage the opportunity keeps the stage it has.
  const stageId = status === 'won' ? setting.soldStageId : status === 'lost' ? setting.lostStageId : setting.openStageId;
  const title = estimate.name?.trim() || 'Estimate';
  return { name: `${title} ${estimateMarker(estimate.id)}`, status, stageId, monetaryValue: Number(estimate.total ?? 0) };
}
