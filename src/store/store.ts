/**
 * THE storage contract. Every adapter (SQLite, MongoDB) implements `Store`, and
 * test/contract/ checks every adapter against the same suite.
 *
 * Times are integers: microseconds since the Unix epoch (UTC). Every STIX timestamp we
 * index (versions, date_added) fits exactly in a JS number at that precision until the
 * year 2255; sub-microsecond digits of a STIX timestamp are kept in the stored JSON but
 * not used for ordering (see docs/conformance.md).
 */

import type { AuditEvent, AuditEventInput, ObjectRef, StoredAuditEvent } from '../audit/events';
import type { Checkpoint } from '../audit/chain';
import type { FeedStore } from './feeds';

export type Micros = number;

export type Role = 'reader' | 'writer' | 'admin' | 'auditor';
export const ROLES: readonly Role[] = ['reader', 'writer', 'admin', 'auditor'];

export interface ApiRootRecord {
  /** URL path segment of the API root, e.g. `exchange` for `/exchange/`. */
  path: string;
  title: string;
  description?: string;
  /** Largest POST body accepted, in bytes (TAXII `max_content_length`). */
  maxContentLength: number;
  /** `permissive` accepts custom objects and properties that follow the naming rules; `strict` only standard STIX. */
  contentPolicy: 'permissive' | 'strict';
  /** STIX spec versions accepted on this root (default ['2.1']). */
  allowedSpecVersions: string[];
}

export interface CollectionRecord {
  id: string;
  apiRoot: string;
  title: string;
  description?: string;
  alias?: string;
  /** ISO 3166-1 alpha-2 code of a country collection. */
  country?: string;
  mediaTypes: string[];
}

export interface PartyRecord {
  id: string;
  name: string;
  kind: string;
  country?: string;
  identityRef?: string;
}

export interface AccountRecord {
  id: string;
  name: string;
  partyId: string;
  roles: Role[];
  disabled: boolean;
  /** scrypt hash in PHC-like form, or null for token-only accounts. */
  passwordHash: string | null;
  createdAt: Micros;
  updatedAt: Micros;
}

export interface TokenRecord {
  id: string;
  accountId: string;
  /** Keyed SHA-256 (HMAC) of the secret, hex; the secret itself is never stored. */
  hash: string;
  label: string;
  createdAt: Micros;
  revokedAt: Micros | null;
}

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
  dateAdded: Micros;
  /** Highest TLP level of its markings (0 clear … 4 red), -1 unmarked. */
  tlp: number;
}

export interface Page<T> {
  records: T[];
  more: boolean;
  /**
   * With a scope: how many records the query matched in this page's range (up to the last
   * record returned, or to the end when there is no more) that the scope withheld, by reason.
   */
  withheld?: { count: number; reasons: Record<string, number> };
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
  /** Highest TLP level of its markings, -1 unmarked. */
  tlp: number;
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
  /** The account that made the request: only it (and admins) may read the status. */
  accountId: string;
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
  requestTimestamp: Micros;
  /** The clock's reading; date_added values are max(now, last + 1µs). */
  now: Micros;
  objects: NewObject[];
  /** Objects that failed before reaching the store, in envelope order. */
  failures: StatusDetail[];
  /**
   * The sharing-log event for this add, built from the stored status and its versions (in
   * status order; each newly placed one with its date_added), appended in the same transaction.
   */
  audit?: (status: StatusRecord, objects: ObjectRef[]) => AuditEventInput;
}

/** What the auditor API filters events by; all optional, combined with AND. */
export interface AuditQuery {
  from?: Micros;
  to?: Micros;
  party?: string;
  account?: string;
  agreement?: string;
  collection?: string;
  country?: string;
  objectId?: string;
  action?: string;
  outcome?: string;
  /** Only events after this sequence number (cursor). */
  afterSeq?: number;
  limit: number;
}

export type SummaryGroup = 'agreement' | 'country' | 'party';

/** Objects shared per day and per agreement, country or party (successful reads). */
export interface SummaryRow {
  day: string;
  key: string;
  /** Object versions delivered. */
  objects: number;
  /** Read requests that delivered them. */
  requests: number;
}

/** Appends queued (read-side) sharing-log events; a store may do it off the request thread. */
export interface AuditAppender {
  append(events: AuditEventInput[]): Promise<void>;
  close(): Promise<void>;
}

export interface AuditHead {
  seq: number;
  hash: string;
}

export type AgreementStatus = 'draft' | 'active' | 'suspended' | 'revoked';
export type GrantAction = 'read' | 'write' | 'delete';
export type TlpCeiling = 'clear' | 'green' | 'amber' | 'amber+strict' | 'red';

/** What one party may do under an agreement. */
export interface GrantRecord {
  party: string;
  actions: GrantAction[];
  /** Collections by id, alias or country code (`*`: every country collection), or all of them. */
  collections: { all?: boolean; ids?: string[]; aliases?: string[]; countries?: string[] };
  /** Object types: only those allowed (when given), never those denied. */
  types?: { allow?: string[]; deny?: string[] };
  maxTlp: TlpCeiling;
  /** The TLP level an object without a TLP marking counts as, or `deny` to exclude such objects. */
  unmarkedAs: TlpCeiling | 'deny';
}

export interface AgreementTerms {
  text?: string;
  permittedActions?: string;
  attribution?: string;
  onwardSharing?: string;
}

/** One version of a data-sharing agreement; decisions cite it as `id@version`. */
export interface AgreementRecord {
  id: string;
  version: number;
  title: string;
  /** Reference to the signed instrument: a URL or document id. */
  instrument: string;
  parties: string[];
  validFrom: Micros;
  validUntil: Micros | null;
  status: AgreementStatus;
  terms: AgreementTerms;
  grants: GrantRecord[];
  createdAt: Micros;
  createdBy: string;
  updatedAt: Micros;
  updatedBy: string;
}

/** Who changed what in the catalogue, and when (the sharing log is built from these). */
export interface ChangeRecord {
  at: Micros;
  /** Account id, or `cli` for the command line. */
  by: string;
  entity: 'party' | 'account' | 'token' | 'collection' | 'agreement' | 'api-root' | 'feed';
  entityId: string;
  action: string;
  /** What changed, never a secret. */
  detail?: Record<string, unknown>;
}

export interface AccountPatch {
  roles?: Role[];
  disabled?: boolean;
  passwordHash?: string | null;
  partyId?: string;
}

export interface Store {
  /** Throws StoreUnavailable when the backing database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;

  /** A per-deployment random key (created on first use) for keyed hashes of secrets. */
  secretKey(): Promise<Buffer>;

  upsertApiRoot(root: ApiRootRecord): Promise<void>;
  listApiRoots(): Promise<ApiRootRecord[]>;
  getApiRoot(path: string): Promise<ApiRootRecord | undefined>;

  upsertCollection(collection: CollectionRecord): Promise<void>;
  listCollections(apiRoot?: string): Promise<CollectionRecord[]>;
  getCollection(apiRoot: string, idOrAlias: string): Promise<CollectionRecord | undefined>;

  upsertParty(party: PartyRecord): Promise<void>;
  listParties(): Promise<PartyRecord[]>;
  getParty(id: string): Promise<PartyRecord | undefined>;

  createAccount(account: AccountRecord): Promise<void>;
  getAccount(id: string): Promise<AccountRecord | undefined>;
  getAccountByName(name: string): Promise<AccountRecord | undefined>;
  listAccounts(): Promise<AccountRecord[]>;
  updateAccount(id: string, patch: AccountPatch, now: Micros): Promise<AccountRecord | undefined>;

  createToken(token: TokenRecord): Promise<void>;
  getTokenByHash(hash: string): Promise<TokenRecord | undefined>;
  listTokens(accountId: string): Promise<TokenRecord[]>;
  revokeToken(id: string, now: Micros): Promise<boolean>;

  /**
   * Stores an envelope's objects and its status in one transaction. An object whose
   * (id, version, spec_version) is already in the collection is a success and is not
   * stored twice. Returns the status as stored.
   */
  addObjects(envelope: AddEnvelope): Promise<StatusRecord>;
  getStatus(id: string): Promise<StatusRecord | undefined>;

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
    scope?: ObjectScope,
    audit?: (removed: ObjectRef[]) => AuditEventInput,
  ): Promise<number>;

  /** Inserts or replaces one agreement version (id, version) and bumps the agreements revision. */
  saveAgreement(agreement: AgreementRecord): Promise<void>;
  /** The given version, or the latest when none is given. */
  getAgreement(id: string, version?: number): Promise<AgreementRecord | undefined>;
  /** The latest version of every agreement. */
  listAgreements(): Promise<AgreementRecord[]>;
  listAgreementVersions(id: string): Promise<AgreementRecord[]>;
  /** Changes whenever any agreement changes, in any process: lets callers cache agreements. */
  agreementsRevision(): Promise<number>;

  /** Appends a catalogue change to the sharing log (as an event `catalog.<entity>.<action>`). */
  recordChange(change: ChangeRecord): Promise<void>;
  /** Catalogue changes in the order they were recorded, oldest first. */
  listChanges(limit: number, afterSeq?: number): Promise<(ChangeRecord & { seq: number })[]>;

  /** Appends events to the sharing log's hash chain, in order, under the write lock. */
  appendAuditEvents(events: AuditEventInput[]): Promise<AuditEvent[]>;
  /** Events matching the query, in sequence order. */
  queryAuditEvents(query: AuditQuery): Promise<Page<AuditEvent>>;
  /** Events after `afterSeq`, in sequence order, exactly as stored (for verification and export). */
  readAuditEvents(afterSeq: number, limit: number): Promise<StoredAuditEvent[]>;
  auditHead(): Promise<AuditHead>;
  summarizeAudit(group: SummaryGroup, from?: Micros, to?: Micros): Promise<SummaryRow[]>;
  listCheckpoints(): Promise<(Checkpoint & { time: Micros })[]>;
  /** Records the current head as a checkpoint (when events were added since the last one). */
  checkpoint(now: Micros): Promise<Checkpoint | undefined>;
  /**
   * An appender for queued events that works off the request thread, when the store has one
   * (a file-backed SQLite store: a worker thread with its own connection); undefined when
   * appendAuditEvents should be used directly.
   */
  backgroundAuditAppender(warn: (message: string) => void): AuditAppender | undefined;

  /** Upstream feeds: definitions, progress and run leases (src/store/feeds.ts). */
  feeds(): FeedStore;
}
