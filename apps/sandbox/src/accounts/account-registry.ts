import { randomBytes } from 'node:crypto';
import { GhlStore } from '../ghl/ghl-store.js';
import { StWorld } from '../servicetitan/st-world.js';
import { DAY_MS } from '../servicetitan/generate/context.js';
import type { AccountSpec } from './account-spec.js';

export interface StAccount {
  tenantId: number;
  clientId: string;
  clientSecret: string;
  appKey: string;
  exportPageSize: number;
  world: StWorld;
}

export interface GhlAccount {
  locationId: string;
  token: string;
  store: GhlStore;
}

export interface TwilioNumber {
  phoneNumber: string;
  /** Where inbound texts to this number are POSTed, like IncomingPhoneNumber.SmsUrl. */
  smsUrl: string | null;
}

export interface TwilioAccount {
  accountSid: string;
  authToken: string;
  numbers: Map<string, TwilioNumber>;
}

export interface AccountSet {
  seed: number;
  size: number;
  servicetitan: StAccount;
  ghl: GhlAccount;
  twilio: TwilioAccount;
}

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

function todayUtcMs(): number {
  return Math.floor(Date.now() / DAY_MS) * DAY_MS;
}

/** Every vendor account the sandbox knows, indexed the ways requests look them up. */
export class AccountRegistry {
  private readonly sets: AccountSet[] = [];
  private readonly stByTenant = new Map<number, StAccount>();
  private readonly stByClient = new Map<string, StAccount>();
  private readonly ghlByLocation = new Map<string, GhlAccount>();
  private readonly ghlByToken = new Map<string, GhlAccount>();
  private readonly twilioBySid = new Map<string, TwilioAccount>();
  private nextTenantId = 2_000_001;

  create(spec: AccountSpec): AccountSet {
    const seed = spec.seed ?? Math.floor(Math.random() * 2 ** 31);
    const size = spec.size ?? 300;
    const st = spec.servicetitan ?? {};
    const tenantId = st.tenantId ?? this.nextTenantId++;
    if (this.stByTenant.has(tenantId)) throw new AccountConflictError(`ServiceTitan tenant ${tenantId} already exists`);
    const clientId = st.clientId ?? `cid.${hex(12)}`;
    if (this.stByClient.has(clientId)) throw new AccountConflictError(`ServiceTitan client ${clientId} already exists`);
    const locationId = spec.ghl?.locationId ?? hex(10);
    if (this.ghlByLocation.has(locationId)) throw new AccountConflictError(`GHL location ${locationId} already exists`);
    const accountSid = spec.twilio?.accountSid ?? `AC${hex(16)}`;
    if (this.twilioBySid.has(accountSid)) throw new AccountConflictError(`Twilio account ${accountSid} already exists`);

    const anchorMs = spec.anchor ? Date.parse(spec.anchor) : todayUtcMs();
    const set: AccountSet = {
      seed,
      size,
      servicetitan: {
        tenantId,
        clientId,
        clientSecret: st.clientSecret ?? `cs.${hex(16)}`,
        appKey: st.appKey ?? `ak.${hex(12)}`,
        exportPageSize: st.exportPageSize ?? 5_000,
        world: new StWorld({ seed, size, anchorMs }),
      },
      ghl: {
        locationId,
        token: spec.ghl?.token ?? `pit-${hex(16)}`,
        store: new GhlStore({ seed, locationId, contacts: spec.ghl?.contacts ?? Math.min(size, 50), opportunities: spec.ghl?.opportunities ?? 0 }),
      },
      twilio: {
        accountSid,
        authToken: spec.twilio?.authToken ?? hex(16),
        numbers: new Map((spec.twilio?.numbers ?? [{ phoneNumber: '+15005550006' }]).map((n) => [n.phoneNumber, { phoneNumber: n.phoneNumber, smsUrl: n.smsUrl ?? null }])),
      },
    };
    this.sets.push(set);
    this.stByTenant.set(tenantId, set.servicetitan);
    this.stByClient.set(clientId, set.servicetitan);
    this.ghlByLocation.set(locationId, set.ghl);
    this.ghlByToken.set(set.ghl.token, set.ghl);
    this.twilioBySid.set(accountSid, set.twilio);
    return set;
  }

  all(): readonly AccountSet[] {
    return this.sets;
  }

  stTenant(tenantId: number): StAccount | undefined {
    return this.stByTenant.get(tenantId);
  }

  stClient(clientId: string): StAccount | undefined {
    return this.stByClient.get(clientId);
  }

  ghlLocation(locationId: string): GhlAccount | undefined {
    return this.ghlByLocation.get(locationId);
  }

  ghlToken(token: string): GhlAccount | undefined {
    return this.ghlByToken.get(token);
  }

  twilioAccount(accountSid: string): TwilioAccount | undefined {
    return this.twilioBySid.get(accountSid);
  }

  /** The Twilio account that owns a phone number (for inbound texts to it). */
  twilioOwnerOf(phoneNumber: string): TwilioAccount | undefined {
    return this.sets.map((set) => set.twilio).find((account) => account.numbers.has(phoneNumber));
  }
}

export class AccountConflictError extends Error {}

/** Credentials as handed back to callers (the dataset itself is not serialised). */
export function describeAccountSet(set: AccountSet): Record<string, unknown> {
  return {
    seed: set.seed,
    size: set.size,
    servicetitan: {
      tenantId: set.servicetitan.tenantId,
      clientId: set.servicetitan.clientId,
      clientSecret: set.servicetitan.clientSecret,
      appKey: set.servicetitan.appKey,
      exportPageSize: set.servicetitan.exportPageSize,
      anchor: new Date(set.servicetitan.world.ctx.anchorMs).toISOString(),
    },
    ghl: { locationId: set.ghl.locationId, token: set.ghl.token },
    twilio: {
      accountSid: set.twilio.accountSid,
      authToken: set.twilio.authToken,
      numbers: [...set.twilio.numbers.values()],
    },
  };
}
