/**
 * STIX 2.1 requirements that a JSON Schema cannot express: they compare two properties, look
 * inside strings (identifiers, selectors, language tags, patterns) or depend on the policy.
 * Each finding names the rule it breaks; the section names refer to the STIX 2.1 standard.
 * The checks are defensive about property types, since they also run on objects whose schema
 * validation failed: a property of the wrong type is the schema's finding, not theirs.
 *
 * Over 300 lines on purpose: a flat list of independent checks, one per STIX section, surveyed in one file.
 */
import { isLanguageTag } from './lang';
import { TLP1_MARKINGS, TLP2_MARKINGS } from './markings';
import { parseStixPattern } from './pattern/parser';
import { compareTimestamps, parseTimestamp, ParsedTimestamp } from './timestamp';
import type { ContentPolicy } from './issues';
import { isStandardType, PREDEFINED_EXTENSIONS, SCO_TYPES, SDO_TYPES, SRO_TYPES } from './types';

export type PathSegment = string | number;
export type Path = readonly PathSegment[];

export interface Finding {
  readonly path: Path;
  readonly rule: string;
  /** Completes a sentence whose subject is the property at `path` (or the object, for the root). */
  readonly detail: string;
}

type Json = Record<string, unknown>;

export function isPlainObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function own(obj: Json, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

// Bounded repetitions and a fixed-width tail: linear on any input.
const IDENTIFIER = /^([a-z0-9-]{1,250})--([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/;
const TYPE_NAME = /^[a-z][a-z0-9-]{2,249}$/;
const CUSTOM_PROPERTY_NAME = /^[a-z][a-z0-9_]{2,249}$/;
const CUSTOM_EXTENSION_NAME = /^[a-z0-9-]{3,250}$/;
const HASH_NAME_FOLD = /[-_]/g;

/** §3.1 and §11.2 (custom objects), §7.3.2.2 (extension objects): the rules for a type name. */
export function isValidTypeName(type: string): boolean {
  return TYPE_NAME.test(type) && !type.includes('--');
}

/** §3.8 Reserved Names: never allowed in STIX 2.1 content. */
const RESERVED_PROPERTIES: ReadonlySet<string> = new Set(['severity', 'username', 'phone_number', 'action']);

/** §10.7 Hashing Algorithm Vocabulary. */
const HASH_ALGORITHMS: ReadonlySet<string> = new Set(['MD5', 'SHA-1', 'SHA-256', 'SHA-512', 'SHA3-256', 'SHA3-512', 'SSDEEP', 'TLSH']);
const HASH_LOOKALIKES: ReadonlyMap<string, string> = new Map(
  [...HASH_ALGORITHMS].map((name) => [name.replace(HASH_NAME_FOLD, '').toLowerCase(), name]),
);

/** TLP 2.0 as published by OASIS (cti-stix-common-objects) through this extension definition. */
const TLP2_EXTENSION = 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d';

export interface RuleContext {
  readonly type: string;
  readonly policy: ContentPolicy;
}

/** What an embedded reference may point to. */
interface Target {
  readonly accepts: (type: string) => boolean;
  readonly description: string;
}

/**
 * A reference to a custom object type is accepted under both policies: custom objects may be
 * SDOs or SCOs (§11.2), and the strict policy refuses the custom objects themselves, not pointers.
 */
const isCustom = (type: string): boolean => !isStandardType(type);

const only = (...types: string[]): Target => ({
  accepts: (type) => types.includes(type),
  description: types.length === 1 ? `a ${types[0]}` : `a ${types.slice(0, -1).join(', ')} or ${types[types.length - 1]}`,
});
const SDO: Target = { accepts: (t) => SDO_TYPES.has(t) || isCustom(t), description: 'a STIX Domain Object' };
const SCO: Target = { accepts: (t) => SCO_TYPES.has(t) || isCustom(t), description: 'a STIX Cyber-observable Object' };
const SDO_OR_SCO: Target = {
  accepts: (t) => SDO_TYPES.has(t) || SCO_TYPES.has(t) || isCustom(t),
  description: 'a STIX Domain Object or STIX Cyber-observable Object',
};
const SCO_OR_SRO: Target = {
  accepts: (t) => SCO_TYPES.has(t) || SRO_TYPES.has(t) || isCustom(t),
  description: 'a STIX Cyber-observable Object or a STIX Relationship Object',
};
const STIX_OBJECT: Target = {
  accepts: (t) => t !== 'bundle',
  description: 'a STIX Object',
};

/** Embedded relationships and the types they may reference, per object type (§4, §5, §7). */
const REFERENCES: Readonly<Record<string, Readonly<Record<string, Target>>>> = {
  grouping: { object_refs: STIX_OBJECT },
  'language-content': { object_ref: STIX_OBJECT },
  malware: { operating_system_refs: only('software'), sample_refs: only('file', 'artifact') },
  'malware-analysis': {
    host_vm_ref: only('software'),
    operating_system_ref: only('software'),
    installed_software_refs: only('software'),
    analysis_sco_refs: SCO,
    sample_ref: only('file', 'artifact', 'network-traffic'),
  },
  note: { object_refs: STIX_OBJECT },
  'observed-data': { object_refs: SCO_OR_SRO },
  opinion: { object_refs: STIX_OBJECT },
  relationship: { source_ref: SDO_OR_SCO, target_ref: SDO_OR_SCO },
  report: { object_refs: STIX_OBJECT },
  sighting: {
    sighting_of_ref: SDO,
    observed_data_refs: only('observed-data'),
    where_sighted_refs: only('identity', 'location'),
  },
};

/** Pairs (earlier, later, strictly later?) that §4 and §5 order in time. */
const TIME_ORDER: Readonly<Record<string, readonly (readonly [string, string, boolean])[]>> = {
  campaign: [['first_seen', 'last_seen', false]],
  indicator: [['valid_from', 'valid_until', true]],
  infrastructure: [['first_seen', 'last_seen', false]],
  'intrusion-set': [['first_seen', 'last_seen', false]],
  malware: [['first_seen', 'last_seen', false]],
  'network-traffic': [['start', 'end', false]],
  'observed-data': [['first_observed', 'last_observed', false]],
  relationship: [['start_time', 'stop_time', true]],
  sighting: [['first_seen', 'last_seen', false]],
  'threat-actor': [['first_seen', 'last_seen', false]],
};

const ORDER_RULE: Readonly<Record<string, string>> = {
  valid_until: 'valid-until',
  last_seen: 'last-seen',
  last_observed: 'last-observed',
  stop_time: 'stop-time',
};

class Findings {
  readonly list: Finding[] = [];
  add(path: Path, rule: string, detail: string): void {
    this.list.push({ path, rule, detail });
  }
}

/**
 * §2.9 Identifier: the object-type part, and a UUID that RFC 4122 accepts (variant 10, version 1-5).
 * Values that do not have the identifier shape at all are the schema's finding.
 */
function checkIdentifier(value: unknown, path: Path, out: Findings, target?: Target): void {
  if (typeof value !== 'string') return;
  const match = IDENTIFIER.exec(value);
  if (!match) return;
  const type = match[1] as string;
  const uuid = match[2] as string;
  const variant = uuid[19] as string;
  const version = uuid[14] as string;
  if (!'89abAB'.includes(variant)) {
    out.add(path, 'uuid', `is not an RFC 4122 UUID: its variant digit (the first of the fourth group) must be 8, 9, a or b, not "${variant}"`);
  } else if (version < '1' || version > '5') {
    out.add(path, 'uuid', `is not an RFC 4122 UUID: its version digit (the first of the third group) must be 1 to 5, not "${version}"`);
  }
  if (target && !target.accepts(type)) {
    out.add(path, 'ref-type', `must refer to ${target.description}, not to a "${type}"`);
  }
}

function checkId(obj: Json, ctx: RuleContext, out: Findings): void {
  const id = own(obj, 'id');
  if (typeof id !== 'string') return;
  const match = IDENTIFIER.exec(id);
  if (!match) return;
  if (match[1] !== ctx.type) {
    out.add(['id'], 'id-type', `must start with "${ctx.type}--", the object's type (§2.9 Identifier)`);
  }
  checkIdentifier(id, ['id'], out);
  if (SCO_TYPES.has(ctx.type)) {
    const version = (match[2] as string)[14];
    if (version !== '4' && version !== '5') {
      out.add(['id'], 'uuid-version', 'must use a UUIDv5, or a UUIDv4 when no ID contributing property is present (§2.9 Identifier)');
    }
  }
}

function timestampOf(obj: Json, key: string): ParsedTimestamp | undefined {
  return parseTimestamp(own(obj, key));
}

function checkVersioning(obj: Json, out: Findings): void {
  const created = timestampOf(obj, 'created');
  const modified = timestampOf(obj, 'modified');
  if (created && modified && compareTimestamps(modified, created) < 0) {
    out.add(['modified'], 'modified-before-created', 'must not be earlier than "created" (§3.6.1 Versioning Timestamps)');
  }
  // §3.2 Common Properties: created and modified have at least millisecond precision.
  for (const [key, value] of [
    ['created', created],
    ['modified', modified],
  ] as const) {
    if (value && value.fraction.length < 3) {
      out.add([key], 'timestamp-precision', 'must have at least millisecond precision (three digits after the seconds, §3.2 Common Properties)');
    }
  }
}

function checkTimeOrder(obj: Json, type: string, out: Findings): void {
  for (const [earlierKey, laterKey, strictly] of TIME_ORDER[type] ?? []) {
    const earlier = timestampOf(obj, earlierKey);
    const later = timestampOf(obj, laterKey);
    if (!earlier || !later) continue;
    const order = compareTimestamps(later, earlier);
    if (strictly ? order <= 0 : order < 0) {
      out.add([laterKey], ORDER_RULE[laterKey] ?? 'time-order', `must be ${strictly ? 'later than' : 'later than or equal to'} "${earlierKey}"`);
    }
  }
}

function checkReferences(obj: Json, ctx: RuleContext, out: Findings): void {
  checkIdentifier(own(obj, 'created_by_ref'), ['created_by_ref'], out, only('identity'));
  const markingRefs = own(obj, 'object_marking_refs');
  if (Array.isArray(markingRefs)) {
    markingRefs.forEach((ref, i) => {
      checkIdentifier(ref, ['object_marking_refs', i], out, only('marking-definition'));
      if (ref === own(obj, 'id')) {
        out.add(['object_marking_refs', i], 'marking-self-reference', 'must not refer to the marking definition itself (§3.2 Common Properties)');
      }
    });
  }
  const references = REFERENCES[ctx.type] ?? {};
  for (const key of Object.keys(references)) {
    const target = references[key] as Target;
    const value = own(obj, key);
    if (Array.isArray(value)) {
      value.forEach((ref, i) => checkIdentifier(ref, [key, i], out, target));
    } else {
      checkIdentifier(value, [key], out, target);
    }
  }
  const markings = own(obj, 'granular_markings');
  if (Array.isArray(markings)) {
    markings.forEach((marking, i) => {
      if (isPlainObject(marking)) {
        checkIdentifier(own(marking, 'marking_ref'), ['granular_markings', i, 'marking_ref'], out, only('marking-definition'));
      }
    });
  }
  if (ctx.type === 'observed-data') checkObservedDataRefs(obj, out);
}

const typedKeysCache = new Map<string, ReadonlySet<string>>();

/** Top-level properties whose references checkReferences already judges, with their target types. */
function typedReferenceKeys(type: string): ReadonlySet<string> {
  let keys = typedKeysCache.get(type);
  if (!keys) {
    keys = new Set(['created_by_ref', 'object_marking_refs', 'granular_markings', ...Object.keys(REFERENCES[type] ?? {})]);
    // Custom type names are unbounded in number; only the standard ones are worth keeping.
    if (isStandardType(type)) typedKeysCache.set(type, keys);
  }
  return keys;
}

/** §4.14: object_refs must contain at least one SCO reference. */
function checkObservedDataRefs(obj: Json, out: Findings): void {
  const refs = own(obj, 'object_refs');
  if (!Array.isArray(refs) || refs.length === 0) return;
  const hasSco = refs.some((ref) => {
    const match = typeof ref === 'string' ? IDENTIFIER.exec(ref) : null;
    return match !== null && SCO.accepts(match[1] as string);
  });
  if (!hasSco) {
    out.add(['object_refs'], 'observed-data-sco', 'must contain at least one reference to a STIX Cyber-observable Object (§4.14 Observed Data)');
  }
}

/**
 * Where a nested value sits, as a link to its parent: a child's place costs one node, not a
 * copy of its parent's path, so a walk is linear in the object's size however deep it nests
 * (copied paths made a 20,000-level object cost 2·10⁸ copied segments).
 */
interface Place {
  parent: Place | undefined;
  key: PathSegment;
}

function pathOf(place: Place | undefined): Path {
  const path: PathSegment[] = [];
  for (let p = place; p !== undefined; p = p.parent) path.push(p.key);
  return path.reverse();
}

/** Every embedded reference anywhere in the object (SCOs nest them), and every hashes dictionary. */
function walkNested(obj: Json, ctx: RuleContext, out: Findings): void {
  const typed = typedReferenceKeys(ctx.type);
  const stack: { value: unknown; place: Place | undefined }[] = [{ value: obj, place: undefined }];
  while (stack.length > 0) {
    const { value, place } = stack.pop() as { value: unknown; place: Place | undefined };
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], place: { parent: place, key: i } });
      continue;
    }
    if (!isPlainObject(value)) continue;
    for (const key of Object.keys(value)) {
      if (place === undefined && typed.has(key)) continue;
      const child = value[key];
      const childPlace: Place = { parent: place, key };
      if (key.endsWith('_ref')) {
        checkIdentifier(child, pathOf(childPlace), out);
      } else if (key.endsWith('_refs') && Array.isArray(child)) {
        const childPath = pathOf(childPlace);
        child.forEach((ref, i) => checkIdentifier(ref, [...childPath, i], out));
      }
      if (key === 'hashes' && isPlainObject(child)) checkHashNames(child, pathOf(childPlace), ctx.policy, out);
      if (typeof child === 'object' && child !== null) stack.push({ value: child, place: childPlace });
    }
  }
}

/**
 * §2.7 Hashes: names SHOULD come from hash-algorithm-ov (§10.7). A spelling variant of a
 * vocabulary name (sha256, Sha-256) defeats matching on that hash, and under the strict policy a
 * name outside the vocabulary must at least be marked as custom with an "x_" prefix.
 */
function checkHashNames(hashes: Json, path: Path, policy: ContentPolicy, out: Findings): void {
  if (policy !== 'strict') return;
  for (const name of Object.keys(hashes)) {
    if (HASH_ALGORITHMS.has(name)) continue;
    const canonical = HASH_LOOKALIKES.get(name.replace(HASH_NAME_FOLD, '').toLowerCase());
    if (canonical) {
      out.add([...path, name], 'hash-algorithm', `must be written "${canonical}", as in hash-algorithm-ov (§10.7)`);
    } else if (!name.startsWith('x_')) {
      out.add(
        [...path, name],
        'hash-algorithm',
        'is not in hash-algorithm-ov (§10.7); a custom hash name must start with "x_" under the strict content policy',
      );
    }
  }
}

function checkLanguages(obj: Json, ctx: RuleContext, out: Findings): void {
  const lang = own(obj, 'lang');
  if (typeof lang === 'string' && !isLanguageTag(lang)) {
    out.add(['lang'], 'lang', 'must be an RFC 5646 language tag, such as "en" or "pt-BR" (§3.2 Common Properties)');
  }
  const markings = own(obj, 'granular_markings');
  if (Array.isArray(markings)) {
    markings.forEach((marking, i) => {
      const markingLang = isPlainObject(marking) ? own(marking, 'lang') : undefined;
      if (typeof markingLang === 'string' && !isLanguageTag(markingLang)) {
        out.add(['granular_markings', i, 'lang'], 'lang', 'must be an RFC 5646 language tag (§7.2.3 Granular Markings)');
      }
    });
  }
  const languages = ctx.type === 'software' ? own(obj, 'languages') : undefined;
  if (Array.isArray(languages)) {
    languages.forEach((tag, i) => {
      if (typeof tag === 'string' && !isLanguageTag(tag)) {
        out.add(['languages', i], 'lang', 'must be an RFC 5646 language tag (§6.14 Software Object)');
      }
    });
  }
  const contents = ctx.type === 'language-content' ? own(obj, 'contents') : undefined;
  if (isPlainObject(contents)) {
    for (const key of Object.keys(contents)) {
      if (!isLanguageTag(key)) {
        out.add(['contents', key], 'lang', 'is not an RFC 5646 language tag, which every key of "contents" must be (§7.1 Language Content)');
      }
    }
  }
}

/** §7.2.3 Granular Markings: selector syntax, and selectors must point at content that is present. */
function checkSelectors(obj: Json, out: Findings): void {
  const markings = own(obj, 'granular_markings');
  if (!Array.isArray(markings)) return;
  markings.forEach((marking, i) => {
    const selectors = isPlainObject(marking) ? own(marking, 'selectors') : undefined;
    if (!Array.isArray(selectors)) return;
    selectors.forEach((selector, j) => {
      if (typeof selector !== 'string') return;
      const problem = selectorProblem(obj, selector);
      if (problem) out.add(['granular_markings', i, 'selectors', j], 'selector', problem);
    });
  });
}

function selectorProblem(root: Json, selector: string): string | undefined {
  let current: unknown = root;
  const components = selector.split('.');
  for (const component of components) {
    if (component.length > 2 && component.startsWith('[') && component.endsWith(']')) {
      const index = component.slice(1, -1);
      if (!/^[0-9]{1,15}$/.test(index)) return `has "${component}", which is not a list index`;
      if (!Array.isArray(current)) return `selects "${component}" in something that is not a list`;
      if (Number(index) >= current.length) return `selects "${component}", which is past the end of the list`;
      current = current[Number(index)];
    } else {
      if (component.length === 0) return 'has an empty component';
      if (!isPlainObject(current)) return `selects "${component}" in something that is not an object`;
      if (!Object.prototype.hasOwnProperty.call(current, component)) return `selects "${component}", which is not present in the object`;
      current = current[component];
    }
  }
  return undefined;
}

function checkPattern(obj: Json, out: Findings): void {
  const pattern = own(obj, 'pattern');
  if (own(obj, 'pattern_type') !== 'stix' || typeof pattern !== 'string') return;
  const result = parseStixPattern(pattern);
  if (!result.ok) {
    out.add(['pattern'], 'stix-pattern', `is not a valid STIX pattern (§9): ${result.message}`);
  }
}

/** §7.2.1.4 (TLP 1.0) and the OASIS TLP 2.0 extension: only the published instances may exist. */
function checkTlp(obj: Json, out: Findings): void {
  const id = own(obj, 'id');
  const definition = own(obj, 'definition');
  if (own(obj, 'definition_type') === 'tlp' && isPlainObject(definition)) {
    const level = own(definition, 'tlp');
    const expected = typeof level === 'string' ? TLP1_MARKINGS.get(level) : undefined;
    if (expected && id !== expected) {
      out.add(
        ['id'],
        'tlp-marking',
        `must be "${expected}", the TLP:${(level as string).toUpperCase()} marking definition published in §7.2.1.4; other TLP markings must not be created`,
      );
    }
  }
  const extensions = own(obj, 'extensions');
  const tlp2 = isPlainObject(extensions) ? own(extensions, TLP2_EXTENSION) : undefined;
  if (isPlainObject(tlp2)) {
    const level = own(tlp2, 'tlp_2_0');
    const expected = typeof level === 'string' ? TLP2_MARKINGS.get(level) : undefined;
    if (typeof level !== 'string' || !expected) {
      out.add(
        ['extensions', TLP2_EXTENSION, 'tlp_2_0'],
        'tlp-marking',
        `must be one of ${[...TLP2_MARKINGS.keys()].map((l) => `"${l}"`).join(', ')}`,
      );
    } else if (id !== expected) {
      out.add(['id'], 'tlp-marking', `must be "${expected}", the published TLP 2.0 ${level.toUpperCase()} marking definition`);
    }
  }
}

function checkExtensions(obj: Json, ctx: RuleContext, out: Findings): void {
  const extensions = own(obj, 'extensions');
  if (!isPlainObject(extensions)) return;
  for (const key of Object.keys(extensions)) {
    if (key.startsWith('extension-definition--')) {
      checkIdentifier(key, ['extensions', key], out);
      const standard = key === TLP2_EXTENSION && ctx.type === 'marking-definition';
      if (ctx.policy === 'strict' && !standard) {
        out.add(['extensions', key], 'custom-extension', 'is an extension, which the strict content policy refuses');
      }
    } else if (!PREDEFINED_EXTENSIONS.has(key)) {
      if (ctx.policy === 'strict') {
        out.add(
          ['extensions', key],
          'custom-extension',
          'is not a predefined extension (§3.10), and custom extensions are refused under the strict content policy',
        );
      } else if (!CUSTOM_EXTENSION_NAME.test(key)) {
        out.add(
          ['extensions', key],
          'extension-name',
          'must be an extension-definition id or an extension name of 3 to 250 characters of a-z, 0-9 and hyphen (§11.3)',
        );
      }
    }
  }
}

/**
 * Properties the object's schema does not declare are custom properties (§11.1): the strict
 * policy refuses them, the permissive one checks their names. Reserved names (§3.8) are never
 * allowed.
 */
export function checkCustomProperties(obj: Json, declared: ReadonlySet<string>, ctx: RuleContext): Finding[] {
  const out = new Findings();
  for (const key of Object.keys(obj)) {
    if (declared.has(key)) continue;
    if (RESERVED_PROPERTIES.has(key)) {
      out.add([key], 'reserved-property', 'is a reserved property name and must not be used (§3.8 Reserved Names)');
    } else if (ctx.policy === 'strict') {
      out.add(
        [key],
        'custom-property',
        `is not a STIX 2.1 property of ${ctx.type}, and custom properties are refused under the strict content policy`,
      );
    } else if (!CUSTOM_PROPERTY_NAME.test(key)) {
      out.add(
        [key],
        'custom-property-name',
        'is not a valid custom property name: it must be 3 to 250 characters of a-z, 0-9 and underscore, starting with a letter (§11.1)',
      );
    }
  }
  return out.list;
}

/** The rules for a STIX 2.1 object of any type, standard or custom. */
export function checkRules(obj: Json, ctx: RuleContext): Finding[] {
  const out = new Findings();
  checkId(obj, ctx, out);
  if (!SCO_TYPES.has(ctx.type)) checkVersioning(obj, out);
  checkTimeOrder(obj, ctx.type, out);
  checkReferences(obj, ctx, out);
  walkNested(obj, ctx, out);
  checkLanguages(obj, ctx, out);
  checkSelectors(obj, out);
  checkExtensions(obj, ctx, out);
  if (ctx.type === 'indicator') checkPattern(obj, out);
  if (ctx.type === 'marking-definition') checkTlp(obj, out);
  return out.list;
}

/** §8 Bundle: only the envelope's own id; members are validated as objects of their own. */
export function checkBundleRules(obj: Json, ctx: RuleContext): Finding[] {
  const out = new Findings();
  checkId(obj, ctx, out);
  return out.list;
}

/** STIX 2.0 content, when a collection admits it, gets only the checks both versions share. */
export function checkRules20(obj: Json, ctx: RuleContext): Finding[] {
  const out = new Findings();
  checkId(obj, ctx, out);
  for (const key of ['created', 'modified']) {
    const value = own(obj, key);
    if (value !== undefined && !parseTimestamp(value)) {
      out.add([key], 'timestamp', 'must be a timestamp of the form YYYY-MM-DDTHH:mm:ss[.s+]Z');
    }
  }
  const created = timestampOf(obj, 'created');
  const modified = timestampOf(obj, 'modified');
  if (created && modified && compareTimestamps(modified, created) < 0) {
    out.add(['modified'], 'modified-before-created', 'must not be earlier than "created"');
  }
  return out.list;
}
