/**
 * The catalogue's documents in MongoDB, one collection each, and their mapping to the
 * records of src/catalog/types.ts. Agreements are kept as their JSON text, like SQLite, so
 * they read back exactly.
 */
import type { Binary } from 'mongodb';
import type {
  AccountRecord,
  ApiRootRecord,
  CertificateRecord,
  CollectionRecord,
  PartyRecord,
  Role,
  TlpCeiling,
  TokenRecord,
} from '../../catalog/types';
import type { Micros } from '../../time';

export interface ApiRootDoc {
  _id: string;
  title: string;
  description?: string;
  max_content_length: number;
  content_policy: ApiRootRecord['contentPolicy'];
  allowed_spec_versions: string[];
}

export interface CollectionDoc {
  _id: string;
  api_root: string;
  title: string;
  description?: string;
  alias?: string;
  country?: string;
  media_types: string[];
  unmarked_as?: TlpCeiling;
}

export interface PartyDoc {
  _id: string;
  name: string;
  kind: string;
  country?: string;
  identity_ref?: string;
}

export interface AccountDoc {
  _id: string;
  name: string;
  party_id: string;
  roles: Role[];
  disabled: boolean;
  password_hash: string | null;
  require_certificate?: boolean;
  created_at: Micros;
  updated_at: Micros;
}

export interface CertificateDoc {
  _id: string;
  account_id: string;
  fingerprint: string | null;
  subject: string | null;
  issuer: string | null;
  label: string;
  created_at: Micros;
  revoked_at: Micros | null;
}

export interface TokenDoc {
  _id: string;
  account_id: string;
  hash: string;
  label: string;
  created_at: Micros;
  revoked_at: Micros | null;
}

export interface AgreementDoc {
  id: string;
  version: number;
  body: string;
}

export interface MetaDoc {
  _id: string;
  value: Binary;
}

export interface RevisionDoc {
  _id: string;
  value: number;
}

export function toApiRoot(d: ApiRootDoc): ApiRootRecord {
  return {
    path: d._id,
    title: d.title,
    ...(d.description !== undefined && { description: d.description }),
    maxContentLength: d.max_content_length,
    contentPolicy: d.content_policy,
    allowedSpecVersions: d.allowed_spec_versions,
  };
}

export function toCollection(d: CollectionDoc): CollectionRecord {
  return {
    id: d._id,
    apiRoot: d.api_root,
    title: d.title,
    ...(d.description !== undefined && { description: d.description }),
    ...(d.alias !== undefined && { alias: d.alias }),
    ...(d.country !== undefined && { country: d.country }),
    mediaTypes: d.media_types,
    ...(d.unmarked_as !== undefined && { unmarkedAs: d.unmarked_as }),
  };
}

export function collectionDoc(c: CollectionRecord): CollectionDoc {
  return {
    _id: c.id,
    api_root: c.apiRoot,
    title: c.title,
    ...(c.description !== undefined && { description: c.description }),
    ...(c.alias !== undefined && { alias: c.alias }),
    ...(c.country !== undefined && { country: c.country }),
    media_types: c.mediaTypes,
    ...(c.unmarkedAs !== undefined && { unmarked_as: c.unmarkedAs }),
  };
}

export function toParty(d: PartyDoc): PartyRecord {
  return {
    id: d._id,
    name: d.name,
    kind: d.kind,
    ...(d.country !== undefined && { country: d.country }),
    ...(d.identity_ref !== undefined && { identityRef: d.identity_ref }),
  };
}

export function toAccount(d: AccountDoc): AccountRecord {
  return {
    id: d._id,
    name: d.name,
    partyId: d.party_id,
    roles: d.roles,
    disabled: d.disabled,
    passwordHash: d.password_hash,
    ...(d.require_certificate === true && { requireCertificate: true }),
    createdAt: d.created_at,
    updatedAt: d.updated_at,
  };
}

export function toCertificate(d: CertificateDoc): CertificateRecord {
  return {
    id: d._id,
    accountId: d.account_id,
    fingerprint: d.fingerprint,
    subject: d.subject,
    issuer: d.issuer,
    label: d.label,
    createdAt: d.created_at,
    revokedAt: d.revoked_at,
  };
}

export function toToken(d: TokenDoc): TokenRecord {
  return { id: d._id, accountId: d.account_id, hash: d.hash, label: d.label, createdAt: d.created_at, revokedAt: d.revoked_at };
}
