import { findTenant, type Database, type TenantRow } from '@fieldhand/db';
import { NotFoundError } from '../errors/http-error.js';

export const tenantNotFound = () => new NotFoundError('tenant_not_found', 'No tenant with this id');

/** The tenant a route names, or the standard 404 for a tenant that does not exist. */
export async function requireTenant(db: Database, tenantId: string): Promise<TenantRow> {
  const tenant = await findTenant(db, tenantId);
  if (!tenant) throw tenantNotFound();
  return tenant;
}
