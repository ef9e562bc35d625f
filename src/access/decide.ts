/**
 * The one authorization decision every route makes. Until data-sharing agreements exist,
 * rights follow roles alone: admin everything; writer read and write; reader read;
 * auditor no STIX content. Deleting STIX content is for admins only.
 */
import type { Principal } from '../auth/principal';
import type { CollectionRecord } from '../store/store';

export type Right = 'read' | 'write' | 'delete';

export interface Decision {
  allowed: boolean;
  /** Why not, in words safe to show the caller. */
  reason?: string;
}

const GRANTS: Record<string, readonly Right[]> = {
  admin: ['read', 'write', 'delete'],
  writer: ['read', 'write'],
  reader: ['read'],
  auditor: [],
};

export function decide(principal: Principal, _collection: CollectionRecord, right: Right): Decision {
  if (principal.roles.some((role) => GRANTS[role]?.includes(right))) return { allowed: true };
  return { allowed: false, reason: `the account's roles do not allow ${right} on this collection` };
}

/** What the caller may do with a collection, as `can_read` / `can_write` report it. */
export function collectionRights(principal: Principal, collection: CollectionRecord): { canRead: boolean; canWrite: boolean } {
  return {
    canRead: decide(principal, collection, 'read').allowed,
    canWrite: decide(principal, collection, 'write').allowed,
  };
}

export function isAdmin(principal: Principal): boolean {
  return principal.roles.includes('admin');
}
