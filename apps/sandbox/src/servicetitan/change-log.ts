import type { StResource } from './st-resources.js';

export interface Change {
  seq: number;
  index: number;
  atMs: number;
}

/**
 * Append-only log of changes made through /_sandbox, one list per resource, numbered by
 * one sequence shared by all resources. Export tokens remember a sequence number, so a
 * later read returns exactly the records changed after it.
 */
export class ChangeLog {
  private seq = 0;
  private readonly byResource = new Map<StResource, Change[]>();
  /** Latest seq per (resource, index), so a record changed twice is served once. */
  private readonly latest = new Map<StResource, Map<number, number>>();

  get currentSeq(): number {
    return this.seq;
  }

  record(resource: StResource, index: number, atMs: number): number {
    this.seq += 1;
    const changes = this.byResource.get(resource) ?? [];
    changes.push({ seq: this.seq, index, atMs });
    this.byResource.set(resource, changes);
    const latest = this.latest.get(resource) ?? new Map<number, number>();
    latest.set(index, this.seq);
    this.latest.set(resource, latest);
    return this.seq;
  }

  /** Changes of a resource with seq > afterSeq, oldest first. */
  after(resource: StResource, afterSeq: number): Change[] {
    const changes = this.byResource.get(resource) ?? [];
    let low = 0;
    let high = changes.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((changes[mid]?.seq ?? 0) <= afterSeq) low = mid + 1;
      else high = mid;
    }
    return changes.slice(low);
  }

  latestSeq(resource: StResource, index: number): number | undefined {
    return this.latest.get(resource)?.get(index);
  }

  /** The seq just before the first change at or after `ms`, for date-based `from`. */
  seqBefore(resource: StResource, ms: number): number {
    const changes = this.byResource.get(resource) ?? [];
    const first = changes.find((change) => change.atMs >= ms);
    return first === undefined ? this.seq : first.seq - 1;
  }
}
