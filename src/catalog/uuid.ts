import { createHash } from 'node:crypto';

/**
 * A deterministic UUID in version-4 form. TAXII 2.1 (§2, identifier) requires collection
 * ids to be UUIDv4, yet every deployment must name France's collection the same way. So
 * the id is computed exactly like an RFC 4122 version-5 (SHA-1, name-based) UUID, but
 * stamped with version 4: stable across deployments and valid for TAXII clients that
 * check the version nibble.
 */
export function derivedUuid4(namespace: string, name: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  hash[6] = ((hash[6] as number) & 0x0f) | 0x40;
  hash[8] = ((hash[8] as number) & 0x3f) | 0x80;
  const h = hash.subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
