import { stInvoices, stPayments } from '@fieldhand/db';
import type { StModuleSpec } from './st-module.js';
import { int, money, obj, str, time } from './values.js';

export const accountingModules: StModuleSpec[] = [
  {
    name: 'invoices',
    apiModule: 'accounting',
    resource: 'invoices',
    table: stInvoices,
    columns: (r) => ({
      reference_number: str(r.referenceNumber),
      customer_id: int(obj(r.customer).id),
      location_id: int(obj(r.location).id),
      job_id: int(obj(r.job).id),
      business_unit_id: int(obj(r.businessUnit).id),
      invoice_date: time(r.invoiceDate),
      due_date: time(r.dueDate),
      sub_total: money(r.subTotal),
      sales_tax: money(r.salesTax),
      total: money(r.total),
      balance: money(r.balance),
      paid_on: time(r.paidOn),
    }),
    tracked: [],
  },
  {
    name: 'payments',
    apiModule: 'accounting',
    resource: 'payments',
    table: stPayments,
    columns: (r) => ({
      customer_id: int(obj(r.customer).id),
      business_unit_id: int(obj(r.businessUnit).id),
      type: str(r.type),
      paid_on: time(r.date),
      total: money(r.total),
      unapplied_amount: money(r.unappliedAmount),
      reference_number: str(r.referenceNumber),
    }),
    tracked: [],
  },
];
