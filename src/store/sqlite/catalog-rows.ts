/**
 * The catalogue's rows in SQLite mapped to the records of src/catalog/types.ts (as
 * mongodb/catalog-docs.ts does for MongoDB's documents).
 */
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
import type { Row } from './database';

export function toApiRoot(r: Row): ApiRootRecord {
  return {
    path: r.path as string,
    title: r.title as string,
    ...(r.description !== null && { description: r.description as string }),
    maxContentLength: r.max_content_length as number,
    contentPolicy: r.content_policy as ApiRootRecord['contentPolicy'],
    allowedSpecVersions: JSON.parse(r.allowed_spec_versions as string) as string[],
  };
}

export function toCollection(r: Row): CollectionRecord {
  return {
    id: r.id as string,
    apiRoot: r.api_root as string,
    title: r.title as string,
    ...(r.description !== null && { description: r.description as string }),
    ...(r.alias !== null && { alias: r.alias as string }),
    ...(r.country !== null && { country: r.country as string }),
    mediaTypes: JSON.parse(r.media_types as string) as string[],
    ...(r.unmarked_as !== null && { unmarkedAs: r.unmarked_as as TlpCeiling }),
  };
}

export function toParty(r: Row): PartyRecord {
  return {
    id: r.id as string,
    name: r.name as string,
    kind: r.kind as string,
    ...(r.country !== null && { country: r.country as string }),
    ...(r.identity_ref !== null && { identityRef: r.identity_ref as string }),
  };
}

export function toAccount(r: Row): AccountRecord {
  return {
    id: r.id as string,
    name: r.name as string,
    partyId: r.party_id as string,
    roles: JSON.parse(r.roles as string) as Role[],
    disabled: r.disabled === 1,
    passwordHash: r.password_hash as string | null,
    ...(r.require_certificate === 1 && { requireCertificate: true }),
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
  };
}

export function toCertificate(r: Row): CertificateRecord {
  return {
    id: r.id as string,
    accountId: r.account_id as string,
    fingerprint: r.fingerprint as string | null,
    subject: r.subject as string | null,
    issuer: r.issuer as string | null,
    label: r.label as string,
    createdAt: r.created_at as number,
    revokedAt: r.revoked_at as number | null,
  };
}

export function toToken(r: Row): TokenRecord {
  return {
    id: r.id as string,
    accountId: r.account_id as string,
    hash: r.hash as string,
    label: r.label as string,
    createdAt: r.created_at as number,
    revokedAt: r.revoked_at as number | null,
  };
}
