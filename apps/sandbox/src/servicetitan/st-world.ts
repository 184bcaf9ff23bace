import { ChangeLog } from './change-log.js';
import { generateRecord } from './generate/generate-record.js';
import { indexOfId, iso, type GeneratorContext, type StRecord } from './generate/context.js';
import { baseCount, technicianCount, type StResource } from './st-resources.js';

export interface ConfirmationCall {
  appointmentId: number;
  method: 'PUT' | 'DELETE';
  atMs: number;
  /** `conflict`: it was already in that state (a PUT answered 409). */
  outcome: 'changed' | 'conflict';
}

export interface StWorldOptions {
  seed: number;
  size: number;
  anchorMs: number;
}

/**
 * One tenant's ServiceTitan data. Generated records are never stored: record i is
 * recomputed from (seed, resource, i) on every read. Only records changed or created
 * through /_sandbox live in memory (the overlay), next to the change log.
 */
export class StWorld {
  readonly ctx: GeneratorContext;
  readonly changes = new ChangeLog();
  /** Every confirmation write received, in order (the vendor's own record of them). */
  readonly confirmationCalls: ConfirmationCall[] = [];
  private readonly overlay = new Map<StResource, Map<number, StRecord>>();
  private readonly appended = new Map<StResource, number>();

  constructor(options: StWorldOptions) {
    this.ctx = { ...options, technicianCount: technicianCount(options.size) };
  }

  count(resource: StResource): number {
    return baseCount(resource, this.ctx.size) + (this.appended.get(resource) ?? 0);
  }

  get(resource: StResource, index: number): StRecord {
    const changed = this.overlay.get(resource)?.get(index);
    return changed ?? generateRecord(this.ctx, resource, index);
  }

  /** Index of the record with this id, if it exists. */
  indexOf(resource: StResource, id: number): number | undefined {
    const index = indexOfId(resource, id);
    return Number.isInteger(index) && index >= 0 && index < this.count(resource) ? index : undefined;
  }

  findById(resource: StResource, id: number): StRecord | undefined {
    const index = this.indexOf(resource, id);
    return index === undefined ? undefined : this.get(resource, index);
  }

  /** Applies a change the way ServiceTitan would: the record's modifiedOn moves to now. */
  update(resource: StResource, index: number, change: (record: StRecord) => void, nowMs = Date.now()): StRecord {
    const record = structuredClone(this.get(resource, index));
    change(record);
    record.modifiedOn = iso(nowMs);
    this.store(resource, index, record);
    this.changes.record(resource, index, nowMs);
    return record;
  }

  /** Adds a record after the generated ones; `build` receives its index. */
  append(resource: StResource, build: (index: number) => StRecord, nowMs = Date.now()): StRecord {
    const index = this.count(resource);
    const record = build(index);
    record.modifiedOn = iso(nowMs);
    this.appended.set(resource, (this.appended.get(resource) ?? 0) + 1);
    this.store(resource, index, record);
    this.changes.record(resource, index, nowMs);
    return record;
  }

  private store(resource: StResource, index: number, record: StRecord): void {
    const records = this.overlay.get(resource) ?? new Map<number, StRecord>();
    records.set(index, record);
    this.overlay.set(resource, records);
  }
}
