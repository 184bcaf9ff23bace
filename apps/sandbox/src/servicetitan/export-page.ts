import type { StRecord } from './generate/context.js';
import { decodeExportToken, encodeExportToken, type ExportPosition } from './export-token.js';
import type { StResource } from './st-resources.js';
import type { StWorld } from './st-world.js';

export interface ExportPage {
  hasMore: boolean;
  continueFrom: string;
  data: StRecord[];
}

export interface ExportOptions {
  pageSize: number;
  includeRecentChanges: boolean;
  /** With includeRecentChanges, changes younger than this are served again next time. */
  recentWindowMs: number;
  nowMs: number;
}

// Bounds the work of one request when a date filter skips most generated records.
const MAX_SCANNED_PER_PAGE = 100_000;

export class InvalidFromError extends Error {}

/** Turns the `from` query value (absent, a date, or a token) into a position. */
export function startPosition(world: StWorld, resource: StResource, from: string | undefined): ExportPosition {
  const snapshotSeq = world.changes.currentSeq;
  if (from === undefined || from === '') return { phase: 'base', resource, index: 0, snapshotSeq, sinceMs: null };
  const token = decodeExportToken(from, resource);
  if (token) return token;
  const sinceMs = Date.parse(from);
  if (Number.isNaN(sinceMs)) throw new InvalidFromError(`'${from}' is neither a date nor a continuation token of this export`);
  // Generated history ends at the anchor, so a later date only needs the change log.
  if (sinceMs >= world.ctx.anchorMs) return { phase: 'changes', resource, seq: world.changes.seqBefore(resource, sinceMs) };
  return { phase: 'base', resource, index: 0, snapshotSeq, sinceMs };
}

export function exportPage(world: StWorld, position: ExportPosition, options: ExportOptions): ExportPage {
  return position.phase === 'base' ? basePage(world, position, options) : changesPage(world, position, options);
}

function basePage(world: StWorld, position: Extract<ExportPosition, { phase: 'base' }>, options: ExportOptions): ExportPage {
  const { resource, snapshotSeq, sinceMs } = position;
  const count = world.count(resource);
  const data: StRecord[] = [];
  let index = position.index;
  const scanLimit = index + MAX_SCANNED_PER_PAGE;
  while (index < count && data.length < options.pageSize && index < scanLimit) {
    const record = world.get(resource, index);
    index += 1;
    if (sinceMs === null || Date.parse(record.modifiedOn) >= sinceMs) data.push(record);
  }
  if (index < count) {
    return { hasMore: true, continueFrom: encodeExportToken({ ...position, index }), data };
  }
  // The walk served every record in its current state; what changed during it comes next.
  const hasMore = world.changes.after(resource, snapshotSeq).length > 0;
  return { hasMore, continueFrom: encodeExportToken({ phase: 'changes', resource, seq: snapshotSeq }), data };
}

function changesPage(world: StWorld, position: Extract<ExportPosition, { phase: 'changes' }>, options: ExportOptions): ExportPage {
  const { resource } = position;
  const pending = world.changes.after(resource, position.seq);
  const data: StRecord[] = [];
  let lastSeq = position.seq;
  let consumed = 0;
  let settledSeq = position.seq;
  let unsettledSeen = false;
  for (const change of pending) {
    if (data.length >= options.pageSize) break;
    consumed += 1;
    lastSeq = change.seq;
    const recent = options.includeRecentChanges && options.nowMs - change.atMs <= options.recentWindowMs;
    unsettledSeen ||= recent;
    if (!unsettledSeen) settledSeq = change.seq;
    // A record changed again later is served at its later change, in its latest state.
    if (world.changes.latestSeq(resource, change.index) !== change.seq) continue;
    data.push(world.get(resource, change.index));
  }
  const hasMore = consumed < pending.length;
  // includeRecentChanges serves fresh changes early but may serve them again next time.
  const nextSeq = options.includeRecentChanges && !hasMore ? settledSeq : lastSeq;
  return { hasMore, continueFrom: encodeExportToken({ phase: 'changes', resource, seq: nextSeq }), data };
}
