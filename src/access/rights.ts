/**
 * Rights that combine decisions: what a writer may read back (so no answer tells it about
 * versions it may not read), what a delete may reach (only versions the caller may read
 * and delete), and who may read a status resource. Pure, like decide().
 */
import type { Principal } from '../auth/principal';
import type { CollectionRecord } from '../catalog/types';
import type { ObjectScope, ScopeClause, StatusRecord } from '../store/object-store';
import type { Micros } from '../time';
import { decide, type GrantBinding } from './decide';

/** What the caller may read in the collection, or undefined when it may read nothing there. */
export function readScope(
  principal: Principal,
  collection: CollectionRecord,
  now: Micros,
  bindings: readonly GrantBinding[],
): ObjectScope | undefined {
  const read = decide(principal, collection, 'read', now, bindings);
  return read.allowed ? read.scope : undefined;
}

function intersectTypes(a: ScopeClause, b: ScopeClause): Pick<ScopeClause, 'allowTypes' | 'denyTypes'> {
  const allow =
    a.allowTypes === undefined ? b.allowTypes : b.allowTypes === undefined ? a.allowTypes : a.allowTypes.filter((t) => b.allowTypes?.includes(t));
  const deny = [...new Set([...(a.denyTypes ?? []), ...(b.denyTypes ?? [])])];
  return { ...(allow !== undefined && { allowTypes: allow }), ...(deny.length > 0 && { denyTypes: deny }) };
}

/** Objects both scopes admit: every pair of clauses, levels and types intersected. */
export function intersectScopes(a: ObjectScope, b: ObjectScope): ObjectScope {
  const clauses: ScopeClause[] = [];
  for (const x of a.clauses) {
    for (const y of b.clauses) {
      const tlpLevels = x.tlpLevels.filter((l) => y.tlpLevels.includes(l));
      if (tlpLevels.length > 0) clauses.push({ tlpLevels, ...intersectTypes(x, y) });
    }
  }
  return { clauses };
}

/**
 * A status is readable only by the account that made the request, so never outside its
 * party, whatever the reader's roles (auditors read it through /audit/statuses/).
 */
export function statusReadable(status: StatusRecord, principal: Principal): boolean {
  return status.accountId === principal.accountId && (status.partyId === undefined || status.partyId === principal.partyId);
}
