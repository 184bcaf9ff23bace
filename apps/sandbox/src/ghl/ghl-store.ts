import { Faker, base, en, en_US } from '@faker-js/faker';
import { createRandom, mixSeed } from '../util/prng.js';
import type { GhlContact, GhlOpportunity, GhlPipeline, OpportunityStatus } from './ghl-types.js';

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export interface GhlStoreOptions {
  seed: number;
  locationId: string;
  contacts: number;
  /** Opportunities on the seeded pipeline, one per contact from the first (at most `contacts`). */
  opportunities?: number;
}

export interface ContactInput {
  firstName?: string | null;
  lastName?: string | null;
  name?: string | null;
  email?: string | null;
  phone?: string | null;
  companyName?: string | null;
  address1?: string | null;
  city?: string | null;
  state?: string | null;
  postalCode?: string;
  country?: string;
  timezone?: string | null;
  source?: string;
  dnd?: boolean;
  dndSettings?: GhlContact['dndSettings'];
  tags?: string[];
}

/** One GHL location's contacts, opportunities and pipelines, held in memory (GHL data is small). */
export class GhlStore {
  readonly contacts = new Map<string, GhlContact>();
  readonly opportunities = new Map<string, GhlOpportunity>();
  readonly pipelines: GhlPipeline[];
  private readonly random;

  constructor(private readonly options: GhlStoreOptions) {
    this.random = createRandom(mixSeed(options.seed, 0x6a1));
    this.pipelines = [this.salesPipeline()];
    this.seedContacts(options.contacts);
    this.seedOpportunities(Math.min(options.opportunities ?? 0, options.contacts));
  }

  /** GHL ids are 20 random alphanumerics; ours come from the seed so runs repeat. */
  newId(): string {
    let id = '';
    for (let i = 0; i < 20; i++) id += ID_ALPHABET[this.random.int(0, ID_ALPHABET.length - 1)];
    return id;
  }

  private salesPipeline(): GhlPipeline {
    const stageNames = ['New Lead', 'Estimate Sent', 'Follow-up', 'Won', 'Lost'];
    return {
      id: this.newId(),
      name: 'Estimates',
      stages: stageNames.map((name, position) => ({ id: this.newId(), name, position, showInFunnel: true, showInPieChart: true })),
      showInFunnel: true,
      showInPieChart: true,
      locationId: this.options.locationId,
    };
  }

  private seedContacts(count: number): void {
    const faker = new Faker({ locale: [en_US, en, base] });
    faker.seed(mixSeed(this.options.seed, 0xc0));
    const start = Date.parse('2024-01-01T00:00:00Z');
    for (let i = 0; i < count; i++) {
      const at = new Date(start + i * 3_600_000).toISOString();
      this.insert(
        {
          firstName: faker.person.firstName(),
          lastName: faker.person.lastName(),
          email: `ghl.contact${i}@example.com`,
          phone: `+1512${String(2_000_000 + i).padStart(7, '0')}`,
          source: 'sandbox',
        },
        at,
      );
    }
  }

  private seedOpportunities(count: number): void {
    const pipeline = this.pipelines[0]!;
    const statuses: OpportunityStatus[] = ['open', 'open', 'open', 'won', 'lost', 'abandoned'];
    const contacts = [...this.contacts.values()];
    const start = Date.parse('2024-02-01T00:00:00Z');
    for (let i = 0; i < count; i++) {
      // Some share a creation instant, so paging must break ties by id.
      const at = new Date(start + Math.floor(i / 3) * 3_600_000).toISOString();
      const status = statuses[this.random.int(0, statuses.length - 1)]!;
      const stage = pipeline.stages[status === 'won' ? 3 : status === 'lost' ? 4 : this.random.int(0, 2)]!;
      const opportunity: GhlOpportunity = {
        id: this.newId(),
        name: `Estimate ${1000 + i}`,
        monetaryValue: this.random.int(150, 12_000),
        pipelineId: pipeline.id,
        pipelineStageId: stage.id,
        status,
        source: 'sandbox',
        contactId: contacts[i]!.id,
        locationId: this.options.locationId,
        customFields: [],
        createdAt: at,
        updatedAt: at,
        lastStatusChangeAt: at,
        lastStageChangeAt: at,
      };
      this.opportunities.set(opportunity.id, opportunity);
    }
  }

  /** DELETE /contacts/{id}: the contact and its opportunities are gone from every read. */
  deleteContact(id: string): boolean {
    if (!this.contacts.delete(id)) return false;
    for (const [key, opportunity] of this.opportunities) if (opportunity.contactId === id) this.opportunities.delete(key);
    return true;
  }

  findByEmailOrPhone(email: string | undefined, phone: string | undefined): GhlContact | undefined {
    const emailKey = email?.toLowerCase();
    for (const contact of this.contacts.values()) {
      if (emailKey && contact.emailLowerCase === emailKey) return contact;
      if (phone && contact.phone === phone) return contact;
    }
    return undefined;
  }

  insert(input: ContactInput, at = new Date().toISOString()): GhlContact {
    const contact: GhlContact = {
      id: this.newId(),
      locationId: this.options.locationId,
      dnd: false,
      dndSettings: {},
      type: 'lead',
      tags: [],
      dateAdded: at,
      dateUpdated: at,
      customFields: [],
    };
    applyContactInput(contact, input);
    this.contacts.set(contact.id, contact);
    return contact;
  }

  update(contact: GhlContact, input: ContactInput, at = new Date().toISOString()): GhlContact {
    applyContactInput(contact, input);
    contact.dateUpdated = at;
    return contact;
  }

  createOpportunity(fields: Omit<GhlOpportunity, 'id' | 'createdAt' | 'updatedAt' | 'lastStatusChangeAt' | 'lastStageChangeAt' | 'source' | 'customFields'>): GhlOpportunity {
    const at = new Date().toISOString();
    const opportunity: GhlOpportunity = { ...fields, id: this.newId(), source: 'api', customFields: [], createdAt: at, updatedAt: at, lastStatusChangeAt: at, lastStageChangeAt: at };
    this.opportunities.set(opportunity.id, opportunity);
    return opportunity;
  }

  setOpportunityStatus(opportunity: GhlOpportunity, status: OpportunityStatus): void {
    const at = new Date().toISOString();
    if (opportunity.status !== status) opportunity.lastStatusChangeAt = at;
    opportunity.status = status;
    opportunity.updatedAt = at;
  }
}

/** Copies provided fields; null clears, undefined leaves alone; tags replace (as GHL's upsert does). */
function applyContactInput(contact: GhlContact, input: ContactInput): void {
  const assign = (key: keyof ContactInput & keyof GhlContact, value: string | null | undefined): void => {
    if (value === undefined) return;
    const target = contact as unknown as Record<string, unknown>;
    if (value === null || value === '') delete target[key];
    else target[key] = value;
  };
  assign('firstName', input.firstName);
  assign('lastName', input.lastName);
  assign('email', input.email);
  assign('phone', input.phone);
  assign('companyName', input.companyName);
  assign('address1', input.address1);
  assign('city', input.city);
  assign('state', input.state);
  assign('postalCode', input.postalCode);
  assign('country', input.country);
  assign('timezone', input.timezone);
  assign('source', input.source);
  if (input.dnd !== undefined) contact.dnd = input.dnd;
  if (input.dndSettings !== undefined) contact.dndSettings = { ...contact.dndSettings, ...input.dndSettings };
  if (input.tags !== undefined) contact.tags = [...input.tags];
  const fullName = input.name ?? [contact.firstName, contact.lastName].filter(Boolean).join(' ');
  if (fullName) {
    contact.name = fullName;
    contact.fullNameLowerCase = fullName.toLowerCase();
  }
  if (contact.firstName) contact.firstNameLowerCase = contact.firstName.toLowerCase();
  if (contact.lastName) contact.lastNameLowerCase = contact.lastName.toLowerCase();
  if (contact.email) contact.emailLowerCase = contact.email.toLowerCase();
  else delete contact.emailLowerCase;
}
