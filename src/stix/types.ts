/** The object types STIX 2.1 defines, by category (§4, §5, §6, §7, §8). */

export const SDO_TYPES: ReadonlySet<string> = new Set([
  'attack-pattern',
  'campaign',
  'course-of-action',
  'grouping',
  'identity',
  'incident',
  'indicator',
  'infrastructure',
  'intrusion-set',
  'location',
  'malware',
  'malware-analysis',
  'note',
  'observed-data',
  'opinion',
  'report',
  'threat-actor',
  'tool',
  'vulnerability',
]);

export const SRO_TYPES: ReadonlySet<string> = new Set(['relationship', 'sighting']);

export const SCO_TYPES: ReadonlySet<string> = new Set([
  'artifact',
  'autonomous-system',
  'directory',
  'domain-name',
  'email-addr',
  'email-message',
  'file',
  'ipv4-addr',
  'ipv6-addr',
  'mac-addr',
  'mutex',
  'network-traffic',
  'process',
  'software',
  'url',
  'user-account',
  'windows-registry-key',
  'x509-certificate',
]);

export const META_TYPES: ReadonlySet<string> = new Set(['language-content', 'marking-definition', 'extension-definition']);

export const BUNDLE_TYPE = 'bundle';

/** §3.10 and §6: the extensions STIX 2.1 itself defines for SCOs. */
export const PREDEFINED_EXTENSIONS: ReadonlySet<string> = new Set([
  'archive-ext',
  'ntfs-ext',
  'pdf-ext',
  'raster-image-ext',
  'windows-pebinary-ext',
  'http-request-ext',
  'icmp-ext',
  'socket-ext',
  'tcp-ext',
  'windows-process-ext',
  'windows-service-ext',
  'unix-account-ext',
]);

export function isStandardType(type: string): boolean {
  return SDO_TYPES.has(type) || SRO_TYPES.has(type) || SCO_TYPES.has(type) || META_TYPES.has(type) || type === BUNDLE_TYPE;
}

/**
 * §3.2: the spec version of an object that does not declare one. SDOs, SROs and meta objects
 * without spec_version are STIX 2.0; SCOs, and custom objects without created/modified (custom
 * observables), are 2.1; a bundle carries a spec_version only in STIX 2.0.
 */
export function impliedSpecVersion(obj: Record<string, unknown>, type: string): '2.0' | '2.1' {
  const has = (key: string) => Object.prototype.hasOwnProperty.call(obj, key) && obj[key] !== undefined;
  return type === BUNDLE_TYPE || SCO_TYPES.has(type) || (!isStandardType(type) && !has('created') && !has('modified')) ? '2.1' : '2.0';
}
