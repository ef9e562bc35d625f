/**
 * The object half of the storage contract: STIX object versions per collection, their
 * selection and paging (TAXII 2.1 §3.4, §3.5), and the statuses of adds (§4.3).
 */
import type { ChangeRecord } from '../catalog/types';
import type { AuditEventInput, ObjectRef } from '../audit/events';
import type { Micros } from '../time';
import type { Page } from './page';

/**
 * Which objects a caller may see, from the grants of its agreements: an object is in scope
 * when any clause admits its TLP level (UNMARKED, -1, for no TLP marking) and its type.
 */
export interface ScopeClause {
  tlpLevels: number[];
  allowTypes?: string[];
  denyTypes?: string[];
}

export interface ObjectScope {
  clauses: ScopeClause[];
}

/** Which versions of each object a query selects (TAXII 2.1 `match[version]`). */
export interface VersionSelector {
  all: boolean;
  first: boolean;
  last: boolean;
  /** Exact versions (micros) requested as timestamps. */
  at: Micros[];
}

export interface ObjectQuery {
  collectionId: string;
  ids?: string[];
  types?: string[];
  versions: VersionSelector;
  /** Absent: only each object's newest spec_version (TAXII 2.1 `match[spec_version]`). */
  specVersions?: string[];
  /** Only records whose date_added is strictly later. */
  addedAfter?: Micros;
  /** Paging position: only records whose date_added is strictly later (from a `next` cursor). */
  after?: Micros;
  /** Page size; adapters fetch one more to know whether `more` is true. */
  limit: number;
  /** Only objects in this scope (absent: all). Applied inside the query, before paging. */
  scope?: ObjectScope;
}

/** One stored object version, without its content. */
export interface ManifestRecord {
  id: string;
  type: string;
  specVersion: string;
  version: Micros;
  /** The version as the object states it, when it does (NewObject.versionText). */
  versionText?: string;
  dateAdded: Micros;
  /** Highest TLP level of its markings (0 clear … 4 red), -1 unmarked. */
  tlp: number;
}

/**
 * A page of objects: each version's record, and their JSON exactly as stored, joined by
 * commas, as UTF-8 bytes ready to send. (Bytes, not strings: a page of large objects then
 * goes out without being decoded into the JavaScript heap and encoded again.)
 */
export interface ObjectPage extends Page<ManifestRecord> {
  json: Buffer;
}

/** An object that passed validation, with the metadata the store indexes. */
export interface NewObject {
  id: string;
  type: string;
  specVersion: string;
  /** modified → created → (absent: the date_added the store assigns). */
  version: Micros | null;
  /**
   * `version` as the object states it (its own `modified` or `created` text, e.g. with 3
   * fraction digits): what manifests and version lists give back. Absent without either.
   */
  versionText?: string;
  /** Highest TLP level of its markings, -1 unmarked. */
  tlp: number;
  /** Its `created_by_ref`, when it has one (checked against the adding party's identity). */
  createdByRef?: string;
  json: string;
}

export interface StatusDetail {
  id: string;
  version?: string;
  message?: string;
}

export interface StatusRecord {
  id: string;
  apiRoot: string;
  /** The account that made the request: only it may read the status (src/access/rights.ts). */
  accountId: string;
  /** Its party (absent on statuses stored before it was recorded). */
  partyId?: string;
  status: 'complete' | 'pending';
  requestTimestamp: Micros;
  totalCount: number;
  successCount: number;
  failureCount: number;
  pendingCount: number;
  successes: StatusDetail[];
  failures: StatusDetail[];
  pendings: StatusDetail[];
}

export interface AddEnvelope {
  statusId: string;
  apiRoot: string;
  collectionId: string;
  accountId: string;
  /** The adding party: it owns the ids it is the first to store; other parties' ids fail (src/access/ownership.ts). */
  partyId: string;
  /** What the adding party may read in the collection (absent: nothing); no status reveals other versions. */
  visible?: ObjectScope;
  requestTimestamp: Micros;
  /** The clock's reading; date_added values are max(now, last + 1µs). */
  now: Micros;
  objects: NewObject[];
  /** Objects that failed before reaching the store, in envelope order (grouped when there are many). */
  failures: StatusDetail[];
  /** How many failed, when `failures` groups some of them (src/taxii/failures.ts); else its length. */
  failureCount?: number;
  /**
   * The sharing-log event for this add, built from the stored status and its versions (in
   * status order; each newly placed one with its date_added), appended in the same transaction.
   */
  audit: (status: StatusRecord, objects: ObjectRef[]) => AuditEventInput;
}

export interface ObjectStore {
  /**
   * Stores an envelope's objects and its status in one transaction. An object whose
   * (id, version, spec_version) is already in the collection, in a version the adding
   * party may read, is a success and is not stored twice; the rest follow addOutcome()
   * (src/access/ownership.ts). Returns the status as stored.
   */
  addObjects(envelope: AddEnvelope): Promise<StatusRecord>;
  /**
   * An add that stores and logs nothing: the status it would answer, found with the add's
   * own lookups (and, where the store can undo them, its writes, undone). Run before the
   * server says it is ready, so the first real envelope finds statements prepared, caches
   * filled and the add path compiled (issue 15: cold start).
   */
  rehearseAdd(envelope: AddEnvelope): Promise<StatusRecord>;
  getStatus(id: string): Promise<StatusRecord | undefined>;

  /** The party that owns an object id in a collection, if any. */
  ownerOf(collectionId: string, objectId: string): Promise<string | undefined>;
  /**
   * Makes `party` the owner (an operator's transfer), with its change in the sharing log in the
   * same transaction; false (and nothing recorded) when the collection holds no such object.
   */
  setOwner(collectionId: string, objectId: string, party: string, change: ChangeRecord): Promise<boolean>;

  /** Records sorted by date_added ascending; never skips or repeats across pages. */
  queryObjects(query: ObjectQuery): Promise<ObjectPage>;
  queryManifest(query: ObjectQuery): Promise<Page<ManifestRecord>>;

  /**
   * Deletes the selected versions of one object (within scope, when given); returns how many
   * were removed. The audit event, built from the removed versions, commits with the delete.
   */
  deleteObject(
    collectionId: string,
    objectId: string,
    versions: VersionSelector,
    specVersions: string[] | undefined,
    scope: ObjectScope | undefined,
    audit: (removed: ObjectRef[]) => AuditEventInput,
  ): Promise<number>;
}
