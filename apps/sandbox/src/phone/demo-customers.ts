import type { AccountSet } from '../accounts/account-registry.js';

/** A customer of the demo's ServiceTitan whom Fieldhand can text, as the phone page lists them. */
export interface DemoCustomer {
  name: string;
  /** The customer's mobile, E.164: where Fieldhand's texts to them arrive. */
  phone: string;
  city: string;
  state: string;
  customerId: number;
  /** The customer's job: new estimates and appointments are made on it. */
  jobId: number;
  stTenantId: number;
  /** The demo's Twilio number: the customer's replies go to it. */
  businessNumber: string;
}

// FL, OK and MD stop texting at 20:00 local time; leaving them out keeps the demo's
// evening an hour longer. Fieldhand applies the rule; the demo merely avoids it.
const EARLY_CUT_OFF_STATES = new Set(['FL', 'OK', 'MD']);

type Contact = { type?: string; active?: boolean; value?: string; phoneSettings?: { doNotText?: boolean } };

function textableMobile(contact: Contact): string | null {
  if (contact.type !== 'MobilePhone' || contact.active === false || contact.phoneSettings?.doNotText) return null;
  const digits = String(contact.value ?? '').replace(/\D/g, '');
  return digits.length === 10 ? `+1${digits}` : null;
}

/**
 * The first `count` customers of the demo account whose mobile (on the customer and
 * on the service location) may be texted: the phones a newcomer can try the demo on.
 * Customer i, location i and job i belong together in the generated world.
 */
export function demoCustomers(demo: AccountSet, count = 6): DemoCustomer[] {
  const world = demo.servicetitan.world;
  const businessNumber = [...demo.twilio.numbers.keys()][0];
  if (!businessNumber) return [];
  const found: DemoCustomer[] = [];
  for (let i = 0; found.length < count && i < world.count('customers') && i < world.count('jobs'); i++) {
    const customer = world.get('customers', i);
    const address = customer['address'] as { city: string; state: string };
    if (customer['active'] === false || EARLY_CUT_OFF_STATES.has(address.state)) continue;
    const phone = textableMobile(world.get('customerContacts', 2 * i) as Contact);
    if (!phone || textableMobile(world.get('locationContacts', i) as Contact) !== phone) continue;
    found.push({
      name: String(customer['name']),
      phone,
      city: address.city,
      state: address.state,
      customerId: Number(customer['id']),
      jobId: Number(world.get('jobs', i)['id']),
      stTenantId: demo.servicetitan.tenantId,
      businessNumber,
    });
  }
  return found;
}
