import { fakerFor, randomFor, type GeneratorContext } from './context.js';

interface City {
  city: string;
  state: string;
  zipPrefix: string;
  areaCodes: readonly string[];
  lat: number;
  lng: number;
}

// Real cities and their real area codes, so addresses, zips and phone numbers agree.
const CITIES: readonly City[] = [
  { city: 'Austin', state: 'TX', zipPrefix: '787', areaCodes: ['512', '737'], lat: 30.27, lng: -97.74 },
  { city: 'Dallas', state: 'TX', zipPrefix: '752', areaCodes: ['214', '469', '972'], lat: 32.78, lng: -96.8 },
  { city: 'Houston', state: 'TX', zipPrefix: '770', areaCodes: ['713', '281', '832'], lat: 29.76, lng: -95.37 },
  { city: 'Phoenix', state: 'AZ', zipPrefix: '850', areaCodes: ['602', '480', '623'], lat: 33.45, lng: -112.07 },
  { city: 'Denver', state: 'CO', zipPrefix: '802', areaCodes: ['303', '720'], lat: 39.74, lng: -104.99 },
  { city: 'Atlanta', state: 'GA', zipPrefix: '303', areaCodes: ['404', '678', '470'], lat: 33.75, lng: -84.39 },
  { city: 'Tampa', state: 'FL', zipPrefix: '336', areaCodes: ['813', '656'], lat: 27.95, lng: -82.46 },
  { city: 'Miami', state: 'FL', zipPrefix: '331', areaCodes: ['305', '786'], lat: 25.76, lng: -80.19 },
  { city: 'Charlotte', state: 'NC', zipPrefix: '282', areaCodes: ['704', '980'], lat: 35.23, lng: -80.84 },
  { city: 'Columbus', state: 'OH', zipPrefix: '432', areaCodes: ['614', '380'], lat: 39.96, lng: -83.0 },
  { city: 'Nashville', state: 'TN', zipPrefix: '372', areaCodes: ['615', '629'], lat: 36.16, lng: -86.78 },
  { city: 'Las Vegas', state: 'NV', zipPrefix: '891', areaCodes: ['702', '725'], lat: 36.17, lng: -115.14 },
  { city: 'Sacramento', state: 'CA', zipPrefix: '958', areaCodes: ['916', '279'], lat: 38.58, lng: -121.49 },
  { city: 'Oklahoma City', state: 'OK', zipPrefix: '731', areaCodes: ['405', '572'], lat: 35.47, lng: -97.52 },
  { city: 'Baltimore', state: 'MD', zipPrefix: '212', areaCodes: ['410', '443'], lat: 39.29, lng: -76.61 },
];

export interface Person {
  firstName: string;
  lastName: string;
  /** 10-digit US number as ServiceTitan stores it (no +1, no punctuation). */
  mobile: string;
  /** A second number (home line) for customers that have one. */
  homePhone: string;
  email: string;
  commercial: boolean;
  companyName: string;
  address: { street: string; unit: string | null; city: string; state: string; zip: string; country: string; latitude: number; longitude: number };
}

function usNumber(areaCode: string, exchange: number, line: number): string {
  // Exchanges 200-999 minus N11 and 555 are dialable and pass libphonenumber validation.
  let nxx = 200 + (exchange % 800);
  if (nxx % 100 === 11 || nxx === 555) nxx += 1;
  return `${areaCode}${nxx}${String(line % 10_000).padStart(4, '0')}`;
}

/** The person (or company) behind customer i; locations and contacts reuse it. */
export function personFor(ctx: GeneratorContext, customerIndex: number): Person {
  const random = randomFor(ctx, 'person', customerIndex);
  const city = random.pick(CITIES);
  const areaCode = random.pick(city.areaCodes);
  const commercial = random.chance(0.12);
  const faker = fakerFor(ctx, 'person', customerIndex);
  const firstName = faker.person.firstName();
  const lastName = faker.person.lastName();
  const street = faker.location.streetAddress();
  const companyName = commercial ? faker.company.name() : '';
  const emailUser = `${firstName}.${lastName}${customerIndex}`.toLowerCase().replace(/[^a-z0-9.]/g, '');
  return {
    firstName,
    lastName,
    mobile: usNumber(areaCode, random.int(0, 799), random.int(0, 9_999)),
    homePhone: usNumber(areaCode, random.int(0, 799), random.int(0, 9_999)),
    email: `${emailUser}@example.com`,
    commercial,
    companyName,
    address: {
      street,
      unit: random.chance(0.1) ? `Apt ${random.int(1, 40)}` : null,
      city: city.city,
      state: city.state,
      zip: `${city.zipPrefix}${String(random.int(0, 99)).padStart(2, '0')}`,
      country: 'USA',
      latitude: Math.round((city.lat + (random.next() - 0.5) * 0.3) * 1e5) / 1e5,
      longitude: Math.round((city.lng + (random.next() - 0.5) * 0.3) * 1e5) / 1e5,
    },
  };
}

export function displayName(person: Person): string {
  return person.commercial ? person.companyName : `${person.firstName} ${person.lastName}`;
}
