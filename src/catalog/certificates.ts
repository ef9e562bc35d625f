/**
 * The TLS client certificates an account may sign in with (docs/security.md): one pinned by
 * its SHA-256 fingerprint, or every certificate with a given subject and issuer that chains
 * to the configured CA. Adding and revoking are catalogue changes, in the sharing log;
 * revocation applies on the next request (certificates are looked up on every request).
 */
import { randomUUID } from 'node:crypto';
import type { Store } from '../store/store';
import type { Clock } from '../time';
import { requireAccount } from './accounts';
import type { CertificateRecord } from './types';
import { fail } from '../errors';

export type CertificateSpec = { fingerprint: string; label: string } | { subject: string; issuer: string; label: string };

const FINGERPRINT = /^[0-9a-f]{64}$/;

/** `AB:CD:…` (as openssl prints it) or plain hex, as 64 lowercase hex digits. */
export function normalizeFingerprint(text: string): string {
  const hex = text.replace(/:/g, '').toLowerCase();
  if (!FINGERPRINT.test(hex))
    throw fail('invalid-account', 'a certificate fingerprint is the SHA-256 of the certificate: 64 hex digits, with or without colons');
  return hex;
}

/** One-line distinguished names as the server compares them: `CN=a, O=b`, spaces after commas. */
export function normalizeName(text: string, what: 'subject' | 'issuer'): string {
  const parts = text.split(/\s*[,\n]\s*/).filter((p) => p.length > 0);
  if (parts.length === 0 || parts.some((p) => !/^[A-Za-z][A-Za-z0-9.]*=./.test(p)))
    throw fail('invalid-account', `the ${what} must be a distinguished name such as "CN=siem-fr, O=Police nationale"`);
  return parts.join(', ');
}

export async function addCertificate(store: Store, clock: Clock, accountName: string, spec: CertificateSpec, by: string): Promise<CertificateRecord> {
  const account = await requireAccount(store, accountName);
  const record: CertificateRecord = {
    id: randomUUID(),
    accountId: account.id,
    fingerprint: 'fingerprint' in spec ? normalizeFingerprint(spec.fingerprint) : null,
    subject: 'subject' in spec ? normalizeName(spec.subject, 'subject') : null,
    issuer: 'issuer' in spec ? normalizeName(spec.issuer, 'issuer') : null,
    label: spec.label,
    createdAt: clock(),
    revokedAt: null,
  };
  const named = record.fingerprint !== null ? { fingerprint: record.fingerprint } : { subject: record.subject, issuer: record.issuer };
  await store.createCertificate(record, {
    at: record.createdAt,
    by,
    entity: 'certificate',
    entityId: record.id,
    action: 'add',
    detail: { account: account.id, label: spec.label, ...named },
  });
  return record;
}

export async function revokeCertificate(store: Store, clock: Clock, id: string, by: string): Promise<boolean> {
  const now = clock();
  return store.revokeCertificate(id, now, { at: now, by, entity: 'certificate', entityId: id, action: 'revoke' });
}
