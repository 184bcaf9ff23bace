import type { StResource } from '../st-resources.js';
import { invoiceRecord, paymentRecord } from './accounting-records.js';
import type { GeneratorContext, StRecord } from './context.js';
import { customerContactRecord, customerRecord, locationContactRecord, locationRecord } from './crm-records.js';
import { appointmentAssignmentRecord, appointmentRecord, jobRecord } from './job-records.js';
import { estimateRecord } from './sales-records.js';
import { businessUnitRecord, installedEquipmentRecord, technicianRecord } from './settings-records.js';

type Generator = (ctx: GeneratorContext, index: number) => StRecord;

const GENERATORS: Record<StResource, Generator> = {
  customers: customerRecord,
  customerContacts: customerContactRecord,
  locations: locationRecord,
  locationContacts: locationContactRecord,
  jobs: jobRecord,
  appointments: appointmentRecord,
  appointmentAssignments: appointmentAssignmentRecord,
  estimates: estimateRecord,
  invoices: invoiceRecord,
  payments: paymentRecord,
  technicians: technicianRecord,
  businessUnits: businessUnitRecord,
  installedEquipment: installedEquipmentRecord,
};

/** Record `index` of `resource` as generated, before any change made through /_sandbox. */
export function generateRecord(ctx: GeneratorContext, resource: StResource, index: number): StRecord {
  return GENERATORS[resource](ctx, index);
}
