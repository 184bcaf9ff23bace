import type { Response } from 'express';
import { recordAudit, type AuditRow, type Executor } from '@fieldhand/db';

/** The audit log's name for a caller: the key's prefix, or `admin` for the admin key from the environment. */
export function actorOf(res: Response): string {
  const principal = res.locals.principal;
  if (!principal) return 'anonymous';
  return principal.keyPrefix ?? 'admin';
}

/**
 * Records an operator action with who did it and the request's correlation id. Pass the
 * change's transaction when there is one, so the action and its record commit together.
 */
export function audit(db: Executor, res: Response, action: string, entry: { tenantId: string | null; target?: Record<string, unknown> }): Promise<AuditRow> {
  return recordAudit(db, { tenantId: entry.tenantId, actor: actorOf(res), action, target: entry.target ?? {}, correlationId: res.locals.correlationId ?? null });
}
