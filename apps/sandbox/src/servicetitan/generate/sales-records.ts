import { BUSINESS_UNIT_NAMES } from '../st-resources.js';
import { idOf, iso, randomFor, round2, type GeneratorContext, type StRecord } from './context.js';
import { jobFacts, lastChange, TAX_RATE, type EstimateStatusName } from './job-facts.js';

// ServiceTitan's numeric codes for the estimate status object.
export const ESTIMATE_STATUS_VALUES: Record<EstimateStatusName, number> = { Open: 1, Sold: 2, Dismissed: 3 };

export function estimateStatus(name: EstimateStatusName): { value: number; name: string } {
  return { value: ESTIMATE_STATUS_VALUES[name], name };
}

const SKUS = [
  { name: 'SYS-16SEER', displayName: '16 SEER system replacement', type: 'Equipment' },
  { name: 'SVC-DIAG', displayName: 'Diagnostic and repair', type: 'Service' },
  { name: 'MAT-COIL', displayName: 'Evaporator coil', type: 'Material' },
  { name: 'SVC-DUCT', displayName: 'Duct sealing', type: 'Service' },
] as const;

export interface EstimateLine {
  description: string;
  qty: number;
  unitRate: number;
}

/** Item lines in the export shape; ids derive from the estimate id so they stay stable. */
export function estimateItems(estimateId: number, lines: readonly EstimateLine[], createdOn: string): Array<Record<string, unknown>> {
  return lines.map((line, position) => {
    const sku = SKUS[position % SKUS.length] ?? SKUS[0];
    const total = round2(line.qty * line.unitRate);
    return {
      id: estimateId * 10 + position,
      sku: {
        id: 9_000 + (position % SKUS.length),
        name: sku.name,
        displayName: sku.displayName,
        type: sku.type,
        soldHours: 0,
        generalLedgerAccountId: 4_000,
        generalLedgerAccountName: 'Sales',
        modifiedOn: createdOn,
      },
      skuAccount: 'Sales',
      description: line.description,
      membershipTypeId: null,
      qty: line.qty,
      unitRate: line.unitRate,
      total,
      unitCost: round2(line.unitRate * 0.45),
      totalCost: round2(total * 0.45),
      itemGroupName: '',
      itemGroupRootId: null,
      createdOn,
      modifiedOn: createdOn,
      chargeable: true,
      invoiceItemId: null,
      budgetCodeId: null,
    };
  });
}

/** Splits a subtotal into 1-3 lines whose totals add up to it exactly. */
function splitIntoLines(subtotal: number, parts: number): EstimateLine[] {
  const lines: EstimateLine[] = [];
  let remaining = subtotal;
  for (let part = 0; part < parts; part++) {
    const amount = part === parts - 1 ? remaining : round2(remaining * 0.6);
    remaining = round2(remaining - amount);
    const sku = SKUS[part % SKUS.length] ?? SKUS[0];
    lines.push({ description: sku.displayName, qty: 1, unitRate: amount });
  }
  return lines;
}

export interface EstimateInput {
  id: number;
  jobIndex: number;
  name: string;
  status: EstimateStatusName;
  lines: readonly EstimateLine[];
  createdMs: number;
  modifiedMs: number;
  soldMs: number | null;
  soldBy: number | null;
  businessUnitIndex: number;
}

/** Builds an estimate in the export shape; used by the generator and by /_sandbox. */
export function buildEstimate(input: EstimateInput): StRecord {
  const createdOn = iso(input.createdMs);
  const items = estimateItems(input.id, input.lines, createdOn);
  const subtotal = round2(input.lines.reduce((sum, line) => sum + round2(line.qty * line.unitRate), 0));
  return {
    id: input.id,
    jobId: idOf('jobs', input.jobIndex),
    projectId: null,
    locationId: idOf('locations', input.jobIndex),
    customerId: idOf('customers', input.jobIndex),
    name: input.name,
    jobNumber: String(idOf('jobs', input.jobIndex)),
    status: estimateStatus(input.status),
    reviewStatus: 'None',
    summary: null,
    createdOn,
    modifiedOn: iso(input.modifiedMs),
    soldOn: input.soldMs === null ? null : iso(input.soldMs),
    soldBy: input.soldBy,
    active: true,
    items,
    externalLinks: [],
    subtotal,
    tax: round2(subtotal * TAX_RATE),
    businessUnitId: idOf('businessUnits', input.businessUnitIndex),
    businessUnitName: BUSINESS_UNIT_NAMES[input.businessUnitIndex] ?? null,
    isRecommended: false,
    budgetCodeId: null,
    isChangeOrder: false,
    proposalTagName: null,
  };
}

export function estimateRecord(ctx: GeneratorContext, index: number): StRecord {
  const facts = jobFacts(ctx, index);
  const random = randomFor(ctx, 'estimate', index);
  // Estimates are written on site, so a visit that has not happened yet has one from booking.
  const createdMs = facts.jobStatus === 'Scheduled' ? facts.createdMs : Math.min(facts.endMs, ctx.anchorMs - 60_000);
  return buildEstimate({
    id: idOf('estimates', index),
    jobIndex: index,
    name: facts.estimateSubtotal > 5_000 ? 'System replacement' : 'Repair options',
    status: facts.estimateStatus,
    lines: splitIntoLines(facts.estimateSubtotal, random.int(1, 3)),
    createdMs,
    modifiedMs: lastChange(ctx, createdMs, facts.soldMs),
    soldMs: facts.soldMs,
    soldBy: facts.soldMs === null ? null : idOf('technicians', facts.technicianIndex),
    businessUnitIndex: facts.businessUnitIndex,
  });
}
