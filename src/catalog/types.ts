/**
 * The catalogue's records: API roots, collections, parties, accounts and their tokens, and
 * data-sharing agreements with their grants, as the stores keep them (src/store/catalog-store.ts).
 */
import type { Micros } from '../time';

export type Role = 'reader' | 'writer' | 'deleter' | 'admin' | 'auditor';
export const ROLES: readonly Role[] = ['reader', 'writer', 'deleter', 'admin', 'auditor'];

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
  /**
   * What content without a TLP marking counts as in this collection, for every grant that does
   * not exclude unmarked content (`unmarked_as: deny`); absent: each grant's own `unmarked_as`.
   * A public reference collection (MITRE ATT&CK) says `clear`.
   */
  unmarkedAs?: TlpCeiling;
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
  /** Whether a password or token is accepted only with one of the account's client certificates. */
  requireCertificate?: boolean;
  createdAt: Micros;
  updatedAt: Micros;
}

/**
 * A console sign-in (src/console/sessions.ts). Only keyed hashes of the session id and of its
 * CSRF token are stored, so a copy of the database cannot be used to ride a session.
 */
export interface SessionRecord {
  idHash: string;
  csrfHash: string;
  accountId: string;
  /** How the session was opened: `password` or `token:<token id>` (a revoked token ends it). */
  credential: string;
  createdAt: Micros;
  lastSeenAt: Micros;
}

export interface AccountPatch {
  roles?: Role[];
  disabled?: boolean;
  passwordHash?: string | null;
  partyId?: string;
  requireCertificate?: boolean;
}

/**
 * A TLS client certificate an account may sign in with: one certificate pinned by its
 * SHA-256 fingerprint, or any certificate with this subject and issuer that chains to the
 * configured CA (`tls.ca`).
 */
export interface CertificateRecord {
  id: string;
  accountId: string;
  /** SHA-256 of the certificate's DER bytes, lowercase hex without colons. */
  fingerprint: string | null;
  /** One-line distinguished names (`CN=…, O=…`, in certificate order). */
  subject: string | null;
  issuer: string | null;
  label: string;
  createdAt: Micros;
  revokedAt: Micros | null;
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

/**
 * How many requests each grantee party may make under an agreement, all its accounts
 * together: a token bucket of `burst` tokens refilled at `requestsPerMinute`.
 */
export interface RateTerm {
  requestsPerMinute: number;
  burst: number;
}

export interface AgreementTerms {
  text?: string;
  permittedActions?: string;
  attribution?: string;
  onwardSharing?: string;
  rateLimit?: RateTerm;
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
  entity: 'party' | 'account' | 'token' | 'certificate' | 'collection' | 'agreement' | 'api-root' | 'object' | 'feed';
  entityId: string;
  action: string;
  /** What changed, never a secret. */
  detail?: Record<string, unknown>;
}
