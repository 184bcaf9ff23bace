import { Faker, base, en, en_US } from '@faker-js/faker';
import { createRandom, hashString, mixSeed, type Random } from '../../util/prng.js';
import { ST_ROUTES, type StResource } from '../st-resources.js';

/** Everything a record generator needs; records are pure functions of this plus an index. */
export interface GeneratorContext {
  seed: number;
  /** Customers in the dataset; other resources fan out from it. */
  size: number;
  /** Generated history ends here; every base record was modified before it. */
  anchorMs: number;
  technicianCount: number;
}

/** Any record served by the ServiceTitan fake. */
export type StRecord = {
  id: number;
  active: boolean;
  createdOn: string;
  modifiedOn: string;
} & Record<string, unknown>;

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

const faker = new Faker({ locale: [en_US, en, base] });
const resourceSalt = new Map<string, number>();

function salt(name: string): number {
  let value = resourceSalt.get(name);
  if (value === undefined) {
    value = hashString(name);
    resourceSalt.set(name, value);
  }
  return value;
}

/** The PRNG for one record; `topic` keeps draws for different facts independent. */
export function randomFor(ctx: GeneratorContext, topic: string, index: number): Random {
  return createRandom(mixSeed(ctx.seed, salt(topic), index));
}

/** The shared faker, re-seeded for one record. Callers must use it synchronously. */
export function fakerFor(ctx: GeneratorContext, topic: string, index: number): Faker {
  faker.seed(mixSeed(ctx.seed, salt(topic), index, 7));
  return faker;
}

export function idOf(resource: StResource, index: number): number {
  return ST_ROUTES[resource].idBase + index;
}

export function indexOfId(resource: StResource, id: number): number {
  return id - ST_ROUTES[resource].idBase;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Money as ServiceTitan's accounting API prints it: a string with two decimals. */
export function money(amount: number): string {
  return amount.toFixed(2);
}

export function round2(amount: number): number {
  return Math.round(amount * 100) / 100;
}
