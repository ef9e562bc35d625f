/**
 * The one authorization decision every route makes. A right is granted only when the
 * account's roles permit the action and at least one data-sharing agreement in force at
 * `now` grants it to the account's party on this collection. The answer names every
 * agreement version it rests on (`id@version`, for the sharing log) and the object scope
 * (types, TLP ceiling) that reads and writes are limited to. Pure: no I/O, time injected.
 */
import type { Principal } from '../auth/principal';
import { TLP_NAMES, UNMARKED, tlpLevel, tlpName } from '../stix/markings';
import { admits, withheldReason } from '../store/scope';
import type { AgreementRecord, CollectionRecord, GrantAction, GrantRecord, RateTerm, Role } from '../catalog/types';
import type { ObjectScope, ScopeClause } from '../store/object-store';
import type { Micros } from '../time';

export type Right = GrantAction;

/**
 * What each role may ever do with STIX content; agreements decide where and what. Content
 * rights come only from content roles: `admin` administers the exchange (accounts,
 * agreements, ownership) and reads, adds or deletes nothing by itself (docs/agreements.md).
 */
const ROLE_RIGHTS: Record<Role, readonly Right[]> = {
  admin: [],
  deleter: ['read', 'delete'],
  writer: ['read', 'write'],
  reader: ['read'],
  auditor: [],
};

/** A grant together with the agreement version it belongs to. */
export interface GrantBinding {
  agreement: AgreementRecord;
  grant: GrantRecord;
}

/** The rate term of an agreement a decision rests on (docs/agreements.md, "Request rates"). */
export interface AgreementRate {
  agreement: string;
  rate: RateTerm;
}

/**
 * `rates`: the rate terms of the agreements the decision rests on, when any states one; the
 * request must fit the grantee party's bucket of each (src/throttle/agreements.ts).
 */
export type Decision = { allowed: true; basis: string[]; scope: ObjectScope; rates?: AgreementRate[] } | { allowed: false; reason: string };

export function inForce(a: AgreementRecord, now: Micros): boolean {
  return a.status === 'active' && a.validFrom <= now && (a.validUntil === null || now < a.validUntil);
}

export function grantCovers(grant: GrantRecord, collection: CollectionRecord): boolean {
  const c = grant.collections;
  return (
    c.all === true ||
    (c.ids?.includes(collection.id) ?? false) ||
    (collection.alias !== undefined && (c.aliases?.includes(collection.alias) ?? false)) ||
    (collection.country !== undefined && (c.countries?.some((code) => code === collection.country || code === '*') ?? false))
  );
}

/**
 * What a grant admits. Unmarked content counts as the collection's `unmarkedAs` where it sets
 * one (a public reference collection says `clear`), else as the grant's `unmarked_as`; a grant
 * that excludes unmarked content (`deny`) excludes it everywhere.
 */
export function scopeClause(grant: GrantRecord, collection?: Pick<CollectionRecord, 'unmarkedAs'>): ScopeClause {
  const max = tlpLevel(grant.maxTlp);
  const tlpLevels = TLP_NAMES.map((_, level) => level).filter((level) => level <= max);
  const unmarkedAs = grant.unmarkedAs === 'deny' ? 'deny' : (collection?.unmarkedAs ?? grant.unmarkedAs);
  if (unmarkedAs !== 'deny' && tlpLevel(unmarkedAs) <= max) tlpLevels.push(UNMARKED);
  return {
    tlpLevels,
    ...(grant.types?.allow !== undefined && { allowTypes: grant.types.allow }),
    ...(grant.types?.deny?.length && { denyTypes: grant.types.deny }),
  };
}

const MARKING_DEFINITIONS: ScopeClause = { tlpLevels: [UNMARKED, ...TLP_NAMES.map((_, level) => level)], allowTypes: ['marking-definition'] };

export function roleAllows(principal: Principal, right: Right): boolean {
  return principal.roles.some((role) => ROLE_RIGHTS[role]?.includes(right));
}

export function decide(principal: Principal, collection: CollectionRecord, right: Right, now: Micros, bindings: readonly GrantBinding[]): Decision {
  if (!roleAllows(principal, right)) {
    return { allowed: false, reason: `the account's roles (${principal.roles.join(', ')}) do not include ${right}` };
  }
  const applicable = bindings.filter(
    (b) => b.grant.party === principal.partyId && b.grant.actions.includes(right) && inForce(b.agreement, now) && grantCovers(b.grant, collection),
  );
  if (applicable.length === 0)
    return { allowed: false, reason: `no data-sharing agreement in force grants your organisation ${right} on this collection` };
  const clauses = applicable.map((b) => scopeClause(b.grant, collection));
  // Marking definitions say what the markings on other objects mean: every reader of the
  // collection sees them, whatever their own marking and the grant's types (docs/agreements.md).
  if (right === 'read') clauses.push(MARKING_DEFINITIONS);
  const rates = ratesOf(applicable);
  return {
    allowed: true,
    basis: [...new Set(applicable.map((b) => `${b.agreement.id}@${b.agreement.version}`))],
    scope: { clauses },
    ...(rates.length > 0 && { rates }),
  };
}

/**
 * Every agreement the request rests on that states a rate, once each. All of them, not the
 * most generous: the content returned is delivered under every one of them (the sharing log
 * cites them all), so each agreement's term holds for what flows under it.
 */
function ratesOf(applicable: readonly GrantBinding[]): AgreementRate[] {
  const rates = new Map<string, RateTerm>();
  for (const { agreement } of applicable) if (agreement.terms.rateLimit) rates.set(agreement.id, agreement.terms.rateLimit);
  return [...rates].map(([agreement, rate]) => ({ agreement, rate }));
}

/** What the caller may do with a collection, as `can_read` / `can_write` report it. */
export function collectionRights(principal: Principal, collection: CollectionRecord, now: Micros, bindings: readonly GrantBinding[]) {
  return {
    canRead: decide(principal, collection, 'read', now, bindings).allowed,
    canWrite: decide(principal, collection, 'write', now, bindings).allowed,
  };
}

export { admits };

/** Why an object is outside the scope, in words for the status resource. */
export function refusal(scope: ObjectScope, type: string, tlp: number): string {
  switch (withheldReason(scope, type, tlp)) {
    case 'type':
      return `objects of type "${type}" are outside the object types your agreements cover`;
    case 'unmarked':
      return 'unmarked objects are not accepted under your agreements; add a TLP marking';
    case 'tlp':
      return `TLP:${tlpName(tlp).toUpperCase()} is above the TLP ceiling of your agreements for this collection`;
  }
}

/**
 * Whether the caller administers the exchange: the admin role counts only on an account of
 * the operator party (config `operatorParty`); on any other party's account it is inert.
 */
export function isAdmin(principal: Principal, operatorParty: string): boolean {
  return principal.roles.includes('admin') && principal.partyId === operatorParty;
}

/** Why an account of this party may not hold these roles, or undefined when it may. */
export function roleRefusal(roles: readonly Role[], partyId: string, operatorParty: string): string | undefined {
  if (roles.includes('admin') && partyId !== operatorParty) {
    return `the admin role can be held only by accounts of the operator party "${operatorParty}"`;
  }
  return undefined;
}
