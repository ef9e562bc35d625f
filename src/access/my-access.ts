/**
 * "My access": what an account's party may do under each agreement that names it, where, up
 * to which TLP level and until when, and what the account's roles let it use of that. Pure:
 * the agreements and collections are handed in, time injected.
 */
import type { Principal } from '../auth/principal';
import { formatTimestamp } from '../time';
import type { AgreementRecord, CollectionRecord, GrantAction } from '../catalog/types';
import type { Micros } from '../time';
import { rateLimitResource } from '../catalog/agreements';
import { grantCovers, inForce, roleAllows } from './decide';

export interface AccessEntry {
  agreement: string;
  title: string;
  status: AgreementRecord['status'];
  valid_from: string;
  valid_until: string | null;
  /** Active and inside its validity window now. */
  in_force: boolean;
  /** What the grant gives the party… */
  actions: GrantAction[];
  /** …and what of that this account's roles may use. */
  usable_actions: GrantAction[];
  max_tlp: string;
  unmarked_as: string;
  types?: { allow?: string[]; deny?: string[] };
  /** The agreement's request rate for the party, all its accounts together (docs/agreements.md). */
  rate_limit?: { requests_per_minute: number; burst: number };
  collections: { id: string; alias?: string; title: string; country?: string; api_root: string }[];
}

export function accessOf(
  principal: Principal,
  agreements: readonly AgreementRecord[],
  collections: readonly CollectionRecord[],
  now: Micros,
): AccessEntry[] {
  const out: AccessEntry[] = [];
  for (const a of agreements) {
    for (const g of a.grants) {
      if (g.party !== principal.partyId) continue;
      out.push({
        agreement: `${a.id}@${a.version}`,
        title: a.title,
        status: a.status,
        valid_from: formatTimestamp(a.validFrom),
        valid_until: a.validUntil === null ? null : formatTimestamp(a.validUntil),
        in_force: inForce(a, now),
        actions: g.actions,
        usable_actions: g.actions.filter((action) => roleAllows(principal, action)),
        max_tlp: g.maxTlp,
        unmarked_as: g.unmarkedAs,
        ...(g.types && { types: g.types }),
        ...(a.terms.rateLimit && { rate_limit: rateLimitResource(a.terms.rateLimit) }),
        collections: collections
          .filter((c) => grantCovers(g, c))
          .map((c) => ({
            id: c.id,
            ...(c.alias !== undefined && { alias: c.alias }),
            title: c.title,
            ...(c.country !== undefined && { country: c.country }),
            api_root: c.apiRoot,
          })),
      });
    }
  }
  // In force first, then the ones ending soonest.
  return out.sort((x, y) => Number(y.in_force) - Number(x.in_force) || (x.valid_until ?? '~').localeCompare(y.valid_until ?? '~'));
}
