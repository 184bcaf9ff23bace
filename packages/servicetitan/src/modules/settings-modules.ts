import { stBusinessUnits, stInstalledEquipment, stTechnicians } from '@fieldhand/db';
import type { StModuleSpec } from './st-module.js';
import { e164, int, money, obj, str, time } from './values.js';

export const settingsModules: StModuleSpec[] = [
  {
    name: 'technicians',
    apiModule: 'settings',
    resource: 'technicians',
    table: stTechnicians,
    columns: (r) => ({
      name: str(r.name),
      email: str(r.email),
      phone: e164(r.mobilePhone) ?? e164(r.phoneNumber),
      business_unit_id: int(r.businessUnitId),
      login_name: str(r.loginName),
    }),
    tracked: [],
  },
  {
    name: 'business-units',
    apiModule: 'settings',
    resource: 'business-units',
    table: stBusinessUnits,
    columns: (r) => ({ name: str(r.name), official_name: str(r.officialName), email: str(r.email), phone: e164(r.phoneNumber) }),
    tracked: [],
  },
  {
    name: 'installed-equipment',
    apiModule: 'equipmentsystems',
    resource: 'installed-equipment',
    table: stInstalledEquipment,
    columns: (r) => ({
      location_id: int(r.locationId),
      customer_id: int(r.customerId),
      name: str(r.name),
      type_name: str(obj(r.type).name),
      manufacturer: str(r.manufacturer),
      model: str(r.model),
      serial_number: str(r.serialNumber),
      status: str(r.status),
      cost: money(r.cost),
      installed_on: time(r.installedOn),
      manufacturer_warranty_end: time(r.manufacturerWarrantyEnd),
    }),
    tracked: [],
  },
];
