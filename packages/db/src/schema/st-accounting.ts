import { index, numeric, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { stColumns, stId, stTime } from './st-columns.js';

const money = (name: string) => numeric(name, { precision: 14, scale: 2 });

export const stInvoices = pgTable(
  'st_invoices',
  {
    ...stColumns(),
    referenceNumber: text('reference_number'),
    customerId: stId('customer_id'),
    locationId: stId('location_id'),
    jobId: stId('job_id'),
    businessUnitId: stId('business_unit_id'),
    invoiceDate: stTime('invoice_date'),
    dueDate: stTime('due_date'),
    subTotal: money('sub_total'),
    salesTax: money('sales_tax'),
    total: money('total'),
    balance: money('balance'),
    paidOn: stTime('paid_on'),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), index('st_invoices_job_idx').on(t.tenantId, t.jobId)],
);

export const stPayments = pgTable(
  'st_payments',
  {
    ...stColumns(),
    customerId: stId('customer_id'),
    businessUnitId: stId('business_unit_id'),
    type: text('type'),
    paidOn: stTime('paid_on'),
    total: money('total'),
    unappliedAmount: money('unapplied_amount'),
    referenceNumber: text('reference_number'),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), index('st_payments_customer_idx').on(t.tenantId, t.customerId)],
);
