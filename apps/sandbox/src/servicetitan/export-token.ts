import type { StResource } from './st-resources.js';

/**
 * Where an export read stands. `base`: walking generated records by index (a first full
 * read); `changes`: following the change log after a sequence number.
 */
export type ExportPosition =
  | { phase: 'base'; resource: StResource; index: number; snapshotSeq: number; sinceMs: number | null }
  | { phase: 'changes'; resource: StResource; seq: number };

interface TokenBody {
  v: 1;
  r: StResource;
  p: 'b' | 'c';
  i?: number;
  s: number;
  m?: number | null;
}

/** Tokens are opaque to clients, like ServiceTitan's; base64url JSON keeps them debuggable. */
export function encodeExportToken(position: ExportPosition): string {
  const body: TokenBody =
    position.phase === 'base'
      ? { v: 1, r: position.resource, p: 'b', i: position.index, s: position.snapshotSeq, m: position.sinceMs }
      : { v: 1, r: position.resource, p: 'c', s: position.seq };
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

export function decodeExportToken(token: string, resource: StResource): ExportPosition | undefined {
  let body: Partial<TokenBody>;
  try {
    body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<TokenBody>;
  } catch {
    return undefined;
  }
  if (body.v !== 1 || body.r !== resource || typeof body.s !== 'number') return undefined;
  if (body.p === 'c') return { phase: 'changes', resource, seq: body.s };
  if (body.p === 'b' && typeof body.i === 'number') {
    return { phase: 'base', resource, index: body.i, snapshotSeq: body.s, sinceMs: body.m ?? null };
  }
  return undefined;
}
