/**
 * Test helper: checks a response body against the TAXII 2.1 JSON Schemas in schemas/taxii/.
 *
 * The schemas carry every rule JSON Schema can say; the few cross-property rules it cannot
 * (a value that must appear in another property, an id prefix that must equal a sibling)
 * are checked here so that one call reports everything wrong with a body.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

export type TaxiiResource = 'discovery' | 'api-root' | 'status' | 'collections' | 'collection' | 'manifest' | 'envelope' | 'versions' | 'error';

const SCHEMA_BASE = 'https://accord.invalid/schemas/taxii/';

const KINDS: readonly TaxiiResource[] = ['discovery', 'api-root', 'status', 'collections', 'collection', 'manifest', 'envelope', 'versions', 'error'];

/** The repository root: the nearest folder above this file that has a package.json (works from test/ and dist/test/). */
function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = parent;
  }
}

let validators: Map<TaxiiResource, ValidateFunction> | undefined;

/** Compiles every schema once per process: compiling is the slow part, and test files call this often. */
function compiled(): Map<TaxiiResource, ValidateFunction> {
  if (validators) return validators;
  // allErrors: the point of the helper is to list every violation, not the first one.
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  const dir = path.join(packageRoot(), 'schemas', 'taxii');
  // Every file is added (common.json too) so relative $refs between them resolve.
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    ajv.addSchema(JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as object);
  }
  const map = new Map<TaxiiResource, ValidateFunction>();
  for (const kind of KINDS) {
    const validate = ajv.getSchema(`${SCHEMA_BASE}${kind}.json`);
    if (!validate) throw new Error(`schemas/taxii/${kind}.json is missing`);
    map.set(kind, validate);
  }
  validators = map;
  return map;
}

/** One line per schema error, naming the JSON pointer and, where Ajv knows it, the offending property. */
function describe(error: ErrorObject): string {
  const where = error.instancePath === '' ? '(root)' : error.instancePath;
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties') {
    return `${where}: property "${String(params.additionalProperty)}" is not defined by TAXII 2.1 and is not a valid custom property name (section 7.1.1)`;
  }
  if (error.keyword === 'required') return `${where}: missing required property "${String(params.missingProperty)}"`;
  return `${where}: ${error.message ?? error.keyword}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Rules of the standard that JSON Schema cannot state; each returns one message per violation. */
const crossPropertyRules: Partial<Record<TaxiiResource, (body: Record<string, unknown>) => string[]>> = {
  // 4.1.1: "The default API Root MUST be an item in api_roots."
  discovery: (body) => {
    const roots = body.api_roots;
    if (typeof body.default !== 'string' || !Array.isArray(roots)) return [];
    return roots.includes(body.default) ? [] : [`/default: "${body.default}" is not an item of api_roots (section 4.1.1)`];
  },
  // 5.2.1: "the alias MUST be unique within a single api-root".
  collections: (body) => {
    if (!Array.isArray(body.collections)) return [];
    const seen = new Set<string>();
    const problems: string[] = [];
    body.collections.forEach((collection, i) => {
      if (!isRecord(collection) || typeof collection.alias !== 'string') return;
      if (seen.has(collection.alias)) problems.push(`/collections/${i}/alias: "${collection.alias}" is used by another collection (section 5.2.1)`);
      seen.add(collection.alias);
    });
    return problems;
  },
  // STIX 2.1 section 2.9: an identifier is <object type>--<UUID>, its prefix the object's own type.
  envelope: (body) => {
    if (!Array.isArray(body.objects)) return [];
    const problems: string[] = [];
    body.objects.forEach((object, i) => {
      if (!isRecord(object) || typeof object.id !== 'string' || typeof object.type !== 'string') return;
      const prefix = object.id.split('--')[0];
      if (prefix !== object.type) problems.push(`/objects/${i}/id: prefix "${prefix}" does not match type "${object.type}" (STIX 2.1 section 2.9)`);
    });
    return problems;
  },
};

/** Throws an Error listing every schema violation when body is not a valid TAXII 2.1 resource of that kind. */
export function assertTaxiiResource(kind: TaxiiResource, body: unknown): void {
  const validate = compiled().get(kind);
  if (!validate) throw new Error(`unknown TAXII resource kind "${String(kind)}"`);
  const problems: string[] = [];
  if (!validate(body)) problems.push(...(validate.errors ?? []).map(describe));
  const rule = crossPropertyRules[kind];
  if (rule && isRecord(body)) problems.push(...rule(body));
  if (problems.length > 0) {
    throw new Error(`not a valid TAXII 2.1 ${kind} resource:\n  ${problems.join('\n  ')}`);
  }
}
