import { BUSINESS_UNIT_NAMES } from '../st-resources.js';
import { DAY_MS, fakerFor, idOf, iso, randomFor, type GeneratorContext, type StRecord } from './context.js';

export function technicianName(ctx: GeneratorContext, index: number): string {
  const faker = fakerFor(ctx, 'technician', index);
  return `${faker.person.firstName()} ${faker.person.lastName()}`;
}

export function technicianRecord(ctx: GeneratorContext, index: number): StRecord {
  const random = randomFor(ctx, 'technician', index);
  const name = technicianName(ctx, index);
  const [firstName = name, lastName = ''] = name.split(' ');
  const createdMs = ctx.anchorMs - random.int(100, 2_000) * DAY_MS;
  return {
    id: idOf('technicians', index),
    userId: 500 + index,
    name,
    roleIds: [],
    businessUnitId: idOf('businessUnits', index % BUSINESS_UNIT_NAMES.length),
    mainZoneId: null,
    zoneIds: [],
    createdOn: iso(createdMs),
    modifiedOn: iso(createdMs + random.int(0, 90) * DAY_MS),
    email: `${firstName}.${lastName}.${index}@example.com`.toLowerCase().replace(/[^a-z0-9.@]/g, ''),
    phoneNumber: null,
    loginName: `tech${index}`,
    home: null,
    dailyGoal: 1_500,
    isManagedTech: true,
    licenseType: 'ManagedTech',
    customFields: [],
    active: random.chance(0.92),
    aadUserId: null,
    burdenRate: 0,
    team: null,
    jobFilter: null,
    permissions: [],
    accountLocked: false,
    commissionRate: 0,
    currentValue: null,
    firstName,
    lastName,
    hourlyRate: 32,
    jobId: null,
    mobilePhone: null,
    outboundCallerId: null,
    payrollId: null,
    payrollProfileId: null,
    appoitmentId: null,
    shiftStart: null,
    shiftEnd: null,
    soldByRate: 0,
    startDate: iso(createdMs),
    status: 'Idle',
    skills: [],
    positions: ['Service'],
    location: null,
    bio: null,
    memo: null,
  };
}

export function businessUnitRecord(ctx: GeneratorContext, index: number): StRecord {
  const name = BUSINESS_UNIT_NAMES[index] ?? `Business Unit ${index}`;
  const createdMs = ctx.anchorMs - 2_000 * DAY_MS;
  return {
    id: idOf('businessUnits', index),
    active: true,
    name,
    officialName: name,
    email: null,
    currency: 'USD',
    phoneNumber: null,
    invoiceHeader: null,
    invoiceMessage: null,
    defaultTaxRate: 8.25,
    authorizationParagraph: null,
    acknowledgementParagraph: null,
    address: null,
    materialSku: null,
    quickbooksClass: null,
    accountCode: null,
    franchiseId: null,
    conceptCode: null,
    corporateContractNumber: null,
    trade: null,
    division: null,
    tagTypeIds: [],
    tenant: null,
    createdOn: iso(createdMs),
    modifiedOn: iso(createdMs),
    externalData: [],
  };
}

const EQUIPMENT = [
  { manufacturer: 'Carrier', model: '24ACC636A003', name: 'Central air conditioner', typeId: 1 },
  { manufacturer: 'Trane', model: 'XR16', name: 'Heat pump', typeId: 2 },
  { manufacturer: 'Lennox', model: 'EL296V', name: 'Gas furnace', typeId: 3 },
  { manufacturer: 'Rheem', model: 'XE50M06ST45U1', name: 'Water heater', typeId: 4 },
] as const;

export function installedEquipmentRecord(ctx: GeneratorContext, index: number): StRecord {
  const random = randomFor(ctx, 'equipment', index);
  const kind = random.pick(EQUIPMENT);
  const installedMs = ctx.anchorMs - random.int(30, 5_000) * DAY_MS;
  const createdMs = Math.max(installedMs, ctx.anchorMs - random.int(30, 1_000) * DAY_MS);
  return {
    id: idOf('installedEquipment', index),
    active: true,
    equipmentId: null,
    locationId: idOf('locations', index),
    customerId: idOf('customers', index),
    invoiceItemId: null,
    name: kind.name,
    type: { id: kind.typeId, name: kind.name },
    installedOn: iso(installedMs),
    createdOn: iso(createdMs),
    modifiedOn: iso(createdMs),
    serialNumber: `SN${(random.int(0, 0x7fffffff) >>> 0).toString(16).toUpperCase()}`,
    barcodeId: null,
    memo: '',
    manufacturer: kind.manufacturer,
    model: kind.model,
    cost: random.int(900, 9_000),
    status: 'Installed',
    manufacturerWarrantyStart: iso(installedMs),
    manufacturerWarrantyEnd: iso(installedMs + 3_650 * DAY_MS),
    serviceProviderWarrantyStart: null,
    serviceProviderWarrantyEnd: null,
    tags: [],
    actualReplacementDate: null,
    predictedReplacementMonths: null,
    predictedReplacementDate: null,
  };
}
