import { DAY_MS, idOf, iso, randomFor, type GeneratorContext, type StRecord } from './context.js';
import { displayName, personFor } from './people.js';

const CREATED_BY = 1;

function customerDates(ctx: GeneratorContext, customerIndex: number): { createdMs: number; modifiedMs: number } {
  const random = randomFor(ctx, 'customer-dates', customerIndex);
  const createdMs = ctx.anchorMs - random.int(400, 1_500) * DAY_MS;
  return { createdMs, modifiedMs: createdMs + random.int(0, 380) * DAY_MS };
}

export function customerRecord(ctx: GeneratorContext, index: number): StRecord {
  const person = personFor(ctx, index);
  const dates = customerDates(ctx, index);
  const random = randomFor(ctx, 'customer', index);
  return {
    id: idOf('customers', index),
    active: random.chance(0.97),
    name: displayName(person),
    type: person.commercial ? 'Commercial' : 'Residential',
    address: person.address,
    customFields: [],
    balance: 0,
    taxExempt: false,
    tagTypeIds: [],
    doNotMail: random.chance(0.05),
    doNotService: false,
    nationalAccount: false,
    createdOn: iso(dates.createdMs),
    createdById: CREATED_BY,
    modifiedOn: iso(dates.modifiedMs),
    mergedToId: null,
    paymentTermId: null,
    creditLimit: null,
    creditLimitBalance: null,
    externalData: [],
  };
}

type ContactType = 'Phone' | 'MobilePhone' | 'Email' | 'Fax';

function contactFields(type: ContactType, value: string, doNotText: boolean, createdMs: number): { createdOn: string; modifiedOn: string } & Record<string, unknown> {
  const isPhone = type !== 'Email';
  return {
    type,
    value,
    memo: null,
    // The spec makes phoneSettings required; email contacts carry an empty number.
    phoneSettings: { phoneNumber: isPhone ? value : '', doNotText: isPhone ? doNotText : false },
    preferences: { jobRemindersEnabled: true, marketingUpdatesEnabled: !doNotText, invoiceStatementNotification: true },
    createdOn: iso(createdMs),
    modifiedOn: iso(createdMs),
  };
}

/** Contact 2c is customer c's mobile; contact 2c+1 is mostly an email, sometimes a landline. */
export function customerContactRecord(ctx: GeneratorContext, index: number): StRecord {
  const customerIndex = Math.floor(index / 2);
  const person = personFor(ctx, customerIndex);
  const { createdMs } = customerDates(ctx, customerIndex);
  const random = randomFor(ctx, 'customer-contact', index);
  let type: ContactType = 'MobilePhone';
  let value = person.mobile;
  if (index % 2 === 1) {
    const email = random.chance(0.8);
    type = email ? 'Email' : 'Phone';
    value = email ? person.email : person.homePhone;
  }
  return {
    id: idOf('customerContacts', index),
    customerId: idOf('customers', customerIndex),
    active: true,
    ...contactFields(type, value, random.chance(0.05), createdMs),
  };
}

export function locationRecord(ctx: GeneratorContext, index: number): StRecord {
  const person = personFor(ctx, index);
  const dates = customerDates(ctx, index);
  return {
    taxZoneId: null,
    id: idOf('locations', index),
    customerId: idOf('customers', index),
    active: true,
    name: person.commercial ? `${person.companyName} HQ` : displayName(person),
    address: person.address,
    customFields: [],
    createdOn: iso(dates.createdMs),
    createdById: CREATED_BY,
    modifiedOn: iso(dates.modifiedMs),
    mergedToId: null,
    zoneId: null,
    taxExempt: false,
    tagTypeIds: [],
    externalData: [],
  };
}

/** Each location has one on-site contact: the customer's mobile. */
export function locationContactRecord(ctx: GeneratorContext, index: number): StRecord {
  const person = personFor(ctx, index);
  const { createdMs } = customerDates(ctx, index);
  const random = randomFor(ctx, 'location-contact', index);
  return {
    id: idOf('locationContacts', index),
    locationId: idOf('locations', index),
    active: true,
    ...contactFields('MobilePhone', person.mobile, random.chance(0.05), createdMs),
  };
}
