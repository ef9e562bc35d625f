/**
 * What the store needs to index a pushed object: its type, id, spec_version and version.
 * This checks only the properties that indexing relies on; full STIX validation runs
 * before it (src/stix/validator.ts).
 */
import type { NewObject, StatusDetail } from '../store/store';
import { parseTimestamp } from '../time';

// STIX 2.1 §6 Cyber-observable objects: without spec_version they are still 2.1.
const SCO_TYPES = new Set([
  'artifact', 'autonomous-system', 'directory', 'domain-name', 'email-addr', 'email-message', 'file',
  'ipv4-addr', 'ipv6-addr', 'mac-addr', 'mutex', 'network-traffic', 'process', 'software', 'url',
  'user-account', 'windows-registry-key', 'x509-certificate',
]);

const TYPE = /^[a-z0-9][a-z0-9-]{1,248}[a-z0-9]$/;
const SPEC_VERSION = /^\d{1,3}\.\d{1,3}$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export type MetadataResult = { ok: true; object: NewObject } | { ok: false; failure: StatusDetail };

/** `position` names the object in failures when it has no usable id. */
export function objectMetadata(value: unknown, position: number): MetadataResult {
  const fail = (id: string, message: string, version?: string): MetadataResult => ({
    ok: false,
    failure: { id, ...(version !== undefined && { version }), message },
  });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail(`objects[${position}]`, `objects[${position}] is not a JSON object`);
  }
  const obj = value as Record<string, unknown>;
  const rawId = typeof obj.id === 'string' && obj.id.length <= 300 ? obj.id : `objects[${position}]`;
  const type = obj.type;
  if (typeof type !== 'string' || !TYPE.test(type)) {
    return fail(rawId, `${rawId}: "type" must be 3–250 lowercase letters, digits and hyphens`);
  }
  const id = obj.id;
  const sep = typeof id === 'string' ? id.indexOf('--') : -1;
  if (typeof id !== 'string' || sep < 0 || id.slice(0, sep) !== type || !UUID.test(id.slice(sep + 2))) {
    return fail(rawId, `${rawId}: "id" must be "${type}--" followed by a UUID`);
  }
  const versionText = typeof obj.modified === 'string' ? obj.modified : typeof obj.created === 'string' ? obj.created : undefined;
  for (const prop of ['created', 'modified'] as const) {
    if (obj[prop] !== undefined && (typeof obj[prop] !== 'string' || parseTimestamp(obj[prop] as string) === undefined)) {
      return fail(id, `${id}: "${prop}" must be an RFC 3339 timestamp`, versionText);
    }
  }
  if (obj.spec_version !== undefined && (typeof obj.spec_version !== 'string' || !SPEC_VERSION.test(obj.spec_version))) {
    return fail(id, `${id}: "spec_version" must be a version such as "2.1"`, versionText);
  }
  const specVersion = (obj.spec_version as string | undefined) ?? (SCO_TYPES.has(type) ? '2.1' : '2.0');
  return {
    ok: true,
    object: {
      id,
      type,
      specVersion,
      version: versionText === undefined ? null : (parseTimestamp(versionText) as number),
      json: JSON.stringify(obj),
    },
  };
}

/** Splits an envelope's objects into those the store can take and per-object failures. */
export function prepareObjects(values: readonly unknown[], firstPosition = 0): { objects: NewObject[]; failures: StatusDetail[] } {
  const objects: NewObject[] = [];
  const failures: StatusDetail[] = [];
  values.forEach((value, i) => {
    const r = objectMetadata(value, firstPosition + i);
    if (r.ok) objects.push(r.object);
    else failures.push(r.failure);
  });
  return { objects, failures };
}
