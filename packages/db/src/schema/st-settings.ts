import { numeric, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { stColumns, stId, stTime } from './st-columns.js';

export const stTechnicians = pgTable(
  'st_technicians',
  {
    ...stColumns(),
    name: text('name'),
    email: text('email'),
    phone: text('phone'),
    businessUnitId: stId('business_unit_id'),
    loginName: text('login_name'),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] })],
);

export const stBusinessUnits = pgTable(
  'st_business_units',
  {
    ...stColumns(),
    name: text('name'),
    officialName: text('official_name'),
    email: text('email'),
    phone: text('phone'),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] })],
);

export const stInstalledEquipment = pgTable(
  'st_installed_equipment',
  {
    ...stColumns(),
    locationId: stId('location_id'),
    customerId: stId('customer_id'),
    name: text('name'),
    typeName: text('type_name'),
    manufacturer: text('manufacturer'),
    model: text('model'),
    serialNumber: text('serial_number'),
    status: text('status'),
    cost: numeric('cost', { precision: 14, scale: 2 }),
    installedOn: stTime('installed_on'),
    manufacturerWarrantyEnd: stTime('manufacturer_warranty_end'),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] })],
);
