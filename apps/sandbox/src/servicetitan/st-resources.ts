/**
 * The ServiceTitan resources the sandbox serves: where they live (module + path, as in
 * the vendor specs) and how many of each exist for a dataset of `size` customers.
 * Fan-outs are fixed so record i of any resource can be found by arithmetic alone.
 */
export const ST_RESOURCES = [
  'customers',
  'customerContacts',
  'locations',
  'locationContacts',
  'jobs',
  'appointments',
  'appointmentAssignments',
  'estimates',
  'invoices',
  'payments',
  'technicians',
  'businessUnits',
  'installedEquipment',
] as const;

export type StResource = (typeof ST_RESOURCES)[number];

export interface StResourceRoute {
  /** Module segment of the URL (`{api}/{module}/v2/tenant/{tenant}/...`). */
  module: 'crm' | 'jpm' | 'sales' | 'accounting' | 'settings' | 'equipmentsystems' | 'dispatch';
  /** Path after `/tenant/{tenant}/` for the list endpoint; the export is `export/<path>`. */
  path: string;
  /** Fields the export schema has but the list schema forbids (additionalProperties: false). */
  listOmit: readonly string[];
  /** First id of the resource; ids are idBase + index so they never collide across resources. */
  idBase: number;
}

export const ST_ROUTES: Record<StResource, StResourceRoute> = {
  customers: { module: 'crm', path: 'customers', listOmit: [], idBase: 10_000_000 },
  customerContacts: { module: 'crm', path: 'customers/contacts', listOmit: ['active'], idBase: 20_000_000 },
  locations: { module: 'crm', path: 'locations', listOmit: [], idBase: 30_000_000 },
  locationContacts: { module: 'crm', path: 'locations/contacts', listOmit: ['active'], idBase: 40_000_000 },
  jobs: { module: 'jpm', path: 'jobs', listOmit: ['active'], idBase: 50_000_000 },
  appointments: { module: 'jpm', path: 'appointments', listOmit: [], idBase: 60_000_000 },
  appointmentAssignments: { module: 'dispatch', path: 'appointment-assignments', listOmit: [], idBase: 70_000_000 },
  estimates: { module: 'sales', path: 'estimates', listOmit: [], idBase: 80_000_000 },
  invoices: { module: 'accounting', path: 'invoices', listOmit: [], idBase: 90_000_000 },
  payments: { module: 'accounting', path: 'payments', listOmit: [], idBase: 100_000_000 },
  technicians: { module: 'settings', path: 'technicians', listOmit: [], idBase: 1_000 },
  businessUnits: { module: 'settings', path: 'business-units', listOmit: [], idBase: 100 },
  installedEquipment: { module: 'equipmentsystems', path: 'installed-equipment', listOmit: [], idBase: 110_000_000 },
};

export const BUSINESS_UNIT_NAMES = ['HVAC Service', 'HVAC Install', 'Plumbing', 'Electrical'] as const;

/** How many technicians a dataset has: enough to look like a real shop, bounded. */
export function technicianCount(size: number): number {
  return Math.min(2_000, Math.max(8, Math.ceil(size / 500)));
}

/** Base (generated) record count of a resource for a dataset of `size` customers. */
export function baseCount(resource: StResource, size: number): number {
  switch (resource) {
    case 'customerContacts':
      return size * 2;
    case 'technicians':
      return technicianCount(size);
    case 'businessUnits':
      return BUSINESS_UNIT_NAMES.length;
    default:
      return size;
  }
}

/** Records per customer, used to size a dataset from a target total record count. */
export const RECORDS_PER_CUSTOMER = 12;
