/**
 * Prepares pushed objects for the store: each is validated against STIX 2.1 with the API
 * root's content policy (src/stix/validator.ts), then the properties the store indexes
 * (type, id, spec_version, version) are extracted. A bad object fails alone, with reasons.
 */
import type { ApiRootRecord } from '../catalog/types';
import type { NewObject, StatusDetail } from '../store/object-store';
import { holdsUnsafeNumber, UNSAFE_NUMBER_REASON } from '../stix/json-numbers';
import { tlpOf } from '../stix/markings';
import { impliedSpecVersion } from '../stix/types';
import { createStixValidator, type StixValidator } from '../stix/validator';
import { parseTimestamp } from '../time';

const TYPE = /^[a-z0-9][a-z0-9-]{1,248}[a-z0-9]$/;
const SPEC_VERSION = /^\d{1,3}\.\d{1,3}$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Stands in for an envelope member whose text could not be parsed (from a streamed import). */
export class UnparsableObject {
  /** `tooDeep`: refused before parsing, for nesting deeper than an envelope may have. */
  constructor(
    readonly reason: string,
    readonly tooDeep = false,
  ) {}
}

export type MetadataResult = { ok: true; object: NewObject } | { ok: false; failure: StatusDetail };

const validators = new Map<string, StixValidator>();

/** The validator for an API root's content policy (one per policy, built once). */
export function validatorFor(root: Pick<ApiRootRecord, 'contentPolicy' | 'allowedSpecVersions'>): StixValidator {
  const key = `${root.contentPolicy}|${[...root.allowedSpecVersions].sort().join(',')}`;
  let v = validators.get(key);
  if (!v) {
    v = createStixValidator({ policy: root.contentPolicy, allowedSpecVersions: root.allowedSpecVersions });
    validators.set(key, v);
  }
  return v;
}

/**
 * One sentence per problem, each starting with the object's name (`indicator--… (version): …`):
 * name the object once and list the problems after it.
 */
function joinIssues(messages: string[]): string {
  const first = messages[0] ?? '';
  const colon = first.indexOf(': ');
  const subject = colon > 0 ? first.slice(0, colon + 2) : '';
  if (!subject || !messages.every((m) => m.startsWith(subject))) return messages.join('; ');
  return subject + messages.map((m) => m.slice(subject.length)).join('; ');
}

/** `position` names the object in failures when it has no usable id. */
export function objectMetadata(value: unknown, position: number, validator: StixValidator, unsafeMarker?: string): MetadataResult {
  const fail = (id: string, message: string, version?: string): MetadataResult => ({
    ok: false,
    failure: { id, ...(version !== undefined && { version }), message },
  });
  if (value instanceof UnparsableObject) {
    return fail(
      `objects[${position}]`,
      value.tooDeep ? `objects[${position}] is ${value.reason}` : `objects[${position}] is not valid JSON (${value.reason})`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail(`objects[${position}]`, `objects[${position}] is not a JSON object`);
  }
  const obj = value as Record<string, unknown>;
  const rawId = typeof obj.id === 'string' && obj.id.length <= 300 ? obj.id : `objects[${position}]`;
  if (holdsUnsafeNumber(obj, unsafeMarker)) return fail(rawId, `${rawId}: ${UNSAFE_NUMBER_REASON}`);
  const checked = validator.validate(obj);
  if (!checked.ok) {
    const version = typeof obj.modified === 'string' ? obj.modified : typeof obj.created === 'string' ? obj.created : undefined;
    return fail(rawId, joinIssues(checked.issues.map((i) => i.message)), version);
  }
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
    if (obj[prop] !== undefined && (typeof obj[prop] !== 'string' || parseTimestamp(obj[prop]) === undefined)) {
      return fail(id, `${id}: "${prop}" must be an RFC 3339 timestamp`, versionText);
    }
  }
  if (obj.spec_version !== undefined && (typeof obj.spec_version !== 'string' || !SPEC_VERSION.test(obj.spec_version))) {
    return fail(id, `${id}: "spec_version" must be a version such as "2.1"`, versionText);
  }
  const specVersion = obj.spec_version ?? impliedSpecVersion(obj, type);
  return {
    ok: true,
    object: {
      id,
      type,
      specVersion,
      version: versionText === undefined ? null : (parseTimestamp(versionText) as number),
      ...(versionText !== undefined && { versionText }),
      tlp: tlpOf(obj),
      ...(typeof obj.created_by_ref === 'string' && { createdByRef: obj.created_by_ref }),
      json: JSON.stringify(obj),
    },
  };
}

export interface PrepareOptions {
  validator: StixValidator;
  /**
   * Largest object accepted, in bytes of its JSON: a larger one fails alone in the status
   * (TAXII 2.1 §4.2.1: a body within max_content_length is not refused with 413).
   */
  maxObjectSize: number;
  /** Position of values[0] in the envelope, for failure messages. */
  firstPosition?: number;
  /** The parse's marker for numbers JSON would alter (parseCheckedJson): objects holding one fail. */
  unsafeMarker?: string;
}

/** An envelope's objects split into those the store can take and per-object failures. */
export interface Prepared {
  objects: NewObject[];
  failures: StatusDetail[];
}

export function prepareObjects(values: readonly unknown[], options: PrepareOptions): Prepared {
  const objects: NewObject[] = [];
  const failures: StatusDetail[] = [];
  const first = options.firstPosition ?? 0;
  values.forEach((value, i) => {
    const r = objectMetadata(value, first + i, options.validator, options.unsafeMarker);
    if (!r.ok) failures.push(r.failure);
    else if (Buffer.byteLength(r.object.json) > options.maxObjectSize) {
      failures.push({
        id: r.object.id,
        ...(r.object.versionText !== undefined && { version: r.object.versionText }),
        message: `${r.object.id}: larger than the ${options.maxObjectSize}-byte limit for one object`,
      });
    } else objects.push(r.object);
  });
  return { objects, failures };
}
