/**
 * Loads and compiles the STIX JSON Schemas in schemas/stix once per process.
 * schemas/ is not copied into dist/, so the folder is found from the package root (the nearest
 * ancestor with a package.json: above src/ under jest, above dist/src/ when compiled).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { packageRoot } from '../paths';
import { isStixTimestamp } from './timestamp';

export const SCHEMA_BASE = 'https://accord.invalid/schemas/stix/';

type SchemaNode = Record<string, unknown>;

export interface CompiledType {
  readonly validate: ValidateFunction;
  /** Top-level properties the schema declares; any other property is a custom property. */
  readonly declared: ReadonlySet<string>;
}

export interface CompiledSchemas {
  /** By the type each schema's `type` property is fixed to. */
  readonly byType: ReadonlyMap<string, CompiledType>;
  /** Common properties only, for custom objects that have created/modified (custom SDOs and SROs). */
  readonly customVersioned: CompiledType;
  /** Common properties only, for other custom objects (custom SCOs). */
  readonly customUnversioned: CompiledType;
  readonly bundle: CompiledType;
}

function isNode(value: unknown): value is SchemaNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function decodePointerSegment(segment: string): string {
  return decodeURIComponent(segment).replace(/~1/g, '/').replace(/~0/g, '~');
}

class SchemaIndex {
  private readonly docs = new Map<string, SchemaNode>();

  add(schema: SchemaNode): void {
    this.docs.set(String(schema.$id), schema);
  }

  resolve(ref: string, base: string): { node: unknown; base: string } | undefined {
    const url = new URL(ref, base);
    const docId = `${url.origin}${url.pathname}`;
    let node: unknown = this.docs.get(docId);
    for (const segment of url.hash
      .replace(/^#\/?/, '')
      .split('/')
      .filter((s) => s.length > 0)) {
      node = isNode(node) ? node[decodePointerSegment(segment)] : undefined;
    }
    return node === undefined ? undefined : { node, base: docId };
  }

  /** The property names a schema declares at the top level, following $ref and combinators. */
  declaredProperties(root: SchemaNode, rootId: string): Set<string> {
    const names = new Set<string>();
    const seen = new Set<unknown>();
    const visit = (node: unknown, base: string): void => {
      if (!isNode(node) || seen.has(node)) return;
      seen.add(node);
      if (isNode(node.properties)) Object.keys(node.properties).forEach((name) => names.add(name));
      for (const key of ['allOf', 'anyOf', 'oneOf']) {
        const list = node[key];
        if (Array.isArray(list)) list.forEach((sub) => visit(sub, base));
      }
      visit(node.then, base);
      visit(node.else, base);
      if (isNode(node.dependentSchemas)) Object.values(node.dependentSchemas).forEach((sub) => visit(sub, base));
      if (typeof node.$ref === 'string') {
        const target = this.resolve(node.$ref, base);
        if (target) visit(target.node, target.base);
      }
    };
    visit(root, rootId);
    return names;
  }
}

function fixedType(schema: SchemaNode): string | undefined {
  const properties = schema.properties;
  const type = isNode(properties) ? properties.type : undefined;
  if (!isNode(type)) return undefined;
  if (typeof type.const === 'string') return type.const;
  return Array.isArray(type.enum) && type.enum.length === 1 && typeof type.enum[0] === 'string' ? type.enum[0] : undefined;
}

let cache: CompiledSchemas | undefined;

export function compiledSchemas(): CompiledSchemas {
  cache ??= compile(join(packageRoot(), 'schemas', 'stix'));
  return cache;
}

function compile(dir: string): CompiledSchemas {
  const ajv = new Ajv2020({
    allErrors: true,
    // Errors carry their schema, so reports can use its x-rule/x-message.
    verbose: true,
    strict: true,
    strictRequired: false,
    strictTypes: false,
  });
  addFormats(ajv);
  ajv.addFormat('stix-timestamp', isStixTimestamp);
  ajv.addVocabulary(['x-rule', 'x-message']);

  const index = new SchemaIndex();
  const schemas: SchemaNode[] = readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as SchemaNode);
  for (const schema of schemas) {
    ajv.addSchema(schema);
    index.add(schema);
  }

  const entry = (id: string): CompiledType => {
    const validate = ajv.getSchema(id);
    const target = index.resolve(id, SCHEMA_BASE);
    if (!validate || !target || !isNode(target.node)) throw new Error(`STIX schema ${id} is missing`);
    return { validate, declared: index.declaredProperties(target.node, target.base) };
  };

  const byType = new Map<string, CompiledType>();
  for (const schema of schemas) {
    const type = fixedType(schema);
    if (type) byType.set(type, entry(String(schema.$id)));
  }

  const customUnversionedId = `${SCHEMA_BASE}accord-custom-unversioned.json`;
  const customUnversioned: SchemaNode = {
    $id: customUnversionedId,
    $comment: 'Custom objects without versioning properties: only what every STIX object has.',
    type: 'object',
    properties: {
      type: { $ref: 'common.json#/$defs/custom-type-name' },
      spec_version: { const: '2.1', 'x-rule': 'spec-version', 'x-message': 'must be "2.1"' },
      id: { $ref: 'common.json#/$defs/identifier' },
      object_marking_refs: { $ref: 'common.json#/$defs/identifier-list' },
      granular_markings: { type: 'array', minItems: 1, items: { $ref: 'common.json#/$defs/granular-marking' } },
      defanged: { type: 'boolean' },
      extensions: { $ref: 'common.json#/$defs/extensions' },
    },
    required: ['type', 'id'],
  };
  ajv.addSchema(customUnversioned);
  index.add(customUnversioned);

  const bundle = byType.get('bundle');
  if (!bundle) throw new Error('STIX schema bundle.json is missing');
  return {
    byType,
    customVersioned: entry(`${SCHEMA_BASE}common.json#/$defs/sdo-common`),
    customUnversioned: entry(customUnversionedId),
    bundle,
  };
}
