/**
 * Who may add what (STIX 2.1 §3.6 Versioning: only an object's creator versions it). The
 * party that first stores an object id in a collection owns it there; a version from any
 * other party fails. An add never tells a writer about versions it may not read: a copy of
 * a hidden version is neither "already stored" nor a success, because nothing was stored.
 * Pure: both stores call it inside their add transaction, with what they found.
 */
import { admits } from '../store/scope';
import type { NewObject, ObjectScope } from '../store/object-store';

/** Reasons reveal nothing but that the id is taken: not its versions, markings or owner. */
export const NOT_OWNER = 'not stored: this object id belongs to another party here; only its owner may add versions of it';
export const HIDDEN_COPY = 'not stored: this version is held here under terms that do not let you read it, so it cannot be added or confirmed';
export const FOREIGN_CREATOR = "not stored: its created_by_ref must be your organisation's identity";

export type AddOutcome = { kind: 'new' } | { kind: 'already' } | { kind: 'fail'; message: string };

export interface AddFacts {
  /** The party adding. */
  party: string;
  /** The id's owner in this collection; undefined when it has none. */
  owner: string | undefined;
  /** Whether the collection holds any version of the id. */
  known: boolean;
  /** TLP level of the stored copy of this exact version, when there is one. */
  storedTlp: number | undefined;
  /** What the writer may read here (undefined: nothing). */
  visible: ObjectScope | undefined;
}

export function addOutcome(obj: Pick<NewObject, 'type'>, f: AddFacts): AddOutcome {
  if (f.storedTlp !== undefined && f.visible !== undefined && admits(f.visible, obj.type, f.storedTlp)) return { kind: 'already' };
  // Known without an owner: stored before owners were recorded, with no add on the record.
  if (f.owner !== f.party && (f.owner !== undefined || f.known)) return { kind: 'fail', message: NOT_OWNER };
  if (f.storedTlp !== undefined) return { kind: 'fail', message: HIDDEN_COPY };
  return { kind: 'new' };
}

/**
 * A party with an identity (`identity_ref`) signs what it adds: an object that names another
 * creator fails, and its content is never rewritten. Objects without `created_by_ref`
 * (SCOs, marking definitions, the party's own identity) carry no claim and pass.
 */
export function creatorRefusal(createdByRef: string | undefined, identityRef: string | undefined): string | undefined {
  if (identityRef === undefined || createdByRef === undefined || createdByRef === identityRef) return undefined;
  return FOREIGN_CREATOR;
}
