import { displayName, personFor } from './people.js';
import { BUSINESS_UNIT_NAMES } from '../st-resources.js';
import { DAY_MS, idOf, iso, money, randomFor, round2, type GeneratorContext, type StRecord } from './context.js';
import { jobFacts, lastChange, TAX_RATE, type JobFacts } from './job-facts.js';

interface InvoiceMoney {
  subTotal: number;
  salesTax: number;
  total: number;
  paid: number;
}

/** What was billed and paid on job i; an unpaid invoice has a deposit against it. */
function invoiceMoney(ctx: GeneratorContext, index: number, facts: JobFacts): InvoiceMoney {
  const subTotal = facts.invoiceSubtotal;
  const salesTax = round2(subTotal * TAX_RATE);
  const total = round2(subTotal + salesTax);
  const depositShare = randomFor(ctx, 'deposit', index).int(10, 30) / 100;
  return { subTotal, salesTax, total, paid: facts.paidInFull ? total : round2(total * depositShare) };
}

function invoiceDateMs(facts: JobFacts): number {
  return facts.jobStatus === 'Scheduled' ? facts.createdMs : facts.endMs;
}

export function invoiceRecord(ctx: GeneratorContext, index: number): StRecord {
  const facts = jobFacts(ctx, index);
  const person = personFor(ctx, index);
  const amounts = invoiceMoney(ctx, index, facts);
  const invoiceMs = Math.min(invoiceDateMs(facts), ctx.anchorMs - 60_000);
  const paidMs = facts.paidInFull ? Math.min(invoiceMs + DAY_MS, ctx.anchorMs - 60_000) : null;
  const address = { ...person.address } as Record<string, unknown>;
  delete address['latitude'];
  delete address['longitude'];
  const businessUnit = { id: idOf('businessUnits', facts.businessUnitIndex), name: BUSINESS_UNIT_NAMES[facts.businessUnitIndex] ?? null };
  return {
    summary: null,
    items: [],
    customFields: [],
    active: true,
    discountTotal: '0.00',
    importId: null,
    exportId: null,
    materialSkuId: null,
    membershipId: null,
    paidOn: paidMs === null ? null : iso(paidMs),
    invoiceConfiguration: 'JobInvoice',
    id: idOf('invoices', index),
    syncStatus: 'Pending',
    budgetCodeId: null,
    referenceNumber: String(idOf('jobs', index)),
    invoiceDate: iso(invoiceMs),
    dueDate: iso(invoiceMs + 30 * DAY_MS),
    subTotal: money(amounts.subTotal),
    salesTax: money(amounts.salesTax),
    salesTaxCode: { id: 1, name: 'Default', taxRate: TAX_RATE * 100 },
    taxZoneId: null,
    total: money(amounts.total),
    balance: money(round2(amounts.total - amounts.paid)),
    invoiceType: null,
    customer: { id: idOf('customers', index), name: displayName(person) },
    customerAddress: address,
    location: { id: idOf('locations', index), name: displayName(person) },
    locationAddress: address,
    businessUnit,
    termName: 'Due Upon Receipt',
    createdBy: 'system',
    batch: null,
    depositedOn: null,
    createdOn: iso(Math.min(facts.createdMs, invoiceMs)),
    modifiedOn: iso(lastChange(ctx, facts.createdMs, invoiceMs, paidMs)),
    adjustmentToId: null,
    job: { id: idOf('jobs', index), number: String(idOf('jobs', index)), type: BUSINESS_UNIT_NAMES[facts.businessUnitIndex] ?? null },
    projectId: null,
    royalty: null,
    employeeInfo: null,
    commissionEligibilityDate: null,
    sentStatus: facts.jobStatus === 'Scheduled' ? 'NotSent' : 'Sent',
    reviewStatus: facts.jobStatus === 'Scheduled' ? 'NeedsReview' : 'Reviewed',
    assignedTo: null,
  };
}

export function paymentRecord(ctx: GeneratorContext, index: number): StRecord {
  const facts = jobFacts(ctx, index);
  const person = personFor(ctx, index);
  const amounts = invoiceMoney(ctx, index, facts);
  const paidMs = Math.min(facts.paidInFull ? invoiceDateMs(facts) + DAY_MS : facts.createdMs + DAY_MS, ctx.anchorMs - 60_000);
  const random = randomFor(ctx, 'payment', index);
  const type = random.pick(['Credit Card', 'Check', 'Cash', 'ACH'] as const);
  return {
    active: true,
    appliedTo: [
      {
        appliedAmount: money(amounts.paid),
        appliedBy: 'system',
        appliedId: idOf('payments', index) * 10,
        appliedOn: iso(paidMs),
        appliedTo: idOf('invoices', index),
        appliedToReferenceNumber: String(idOf('jobs', index)),
      },
    ],
    authCode: type === 'Credit Card' ? String(random.int(100_000, 999_999)) : null,
    batch: null,
    businessUnit: { id: idOf('businessUnits', facts.businessUnitIndex), name: BUSINESS_UNIT_NAMES[facts.businessUnitIndex] ?? null },
    checkNumber: type === 'Check' ? String(random.int(1_000, 9_999)) : null,
    createdBy: 'system',
    createdOn: iso(paidMs),
    customer: { id: idOf('customers', index), name: displayName(person) },
    customFields: [],
    date: iso(paidMs),
    deposit: null,
    generalLedgerAccount: null,
    id: idOf('payments', index),
    memo: facts.paidInFull ? null : 'Deposit',
    modifiedOn: iso(paidMs),
    referenceNumber: null,
    refundedPaymentId: null,
    syncStatus: 'Pending',
    total: money(amounts.paid),
    type,
    typeId: null,
    unappliedAmount: '0.00',
  };
}
