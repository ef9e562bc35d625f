/**
 * schemas/admin/openapi.json is both the published description of the admin API and the
 * validator of the request bodies that no service validates (accounts, tokens), so the
 * document cannot drift from what the server accepts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020, { type ErrorObject } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { packageRoot } from '../../paths';
import { fail } from '../../errors';

let document: Record<string, unknown> | undefined;

export function openApiDocument(): Record<string, unknown> {
  document ??= JSON.parse(readFileSync(join(packageRoot(), 'schemas/admin/openapi.json'), 'utf8')) as Record<string, unknown>;
  return document;
}

let ajv: Ajv2020 | undefined;

/** Validates `value` against `#/components/schemas/NAME` of the document; 400 with every problem. */
export function checked<T>(name: string, value: unknown): T {
  if (!ajv) {
    ajv = new Ajv2020({ allErrors: true, allowUnionTypes: true });
    addFormats(ajv);
    // The document's own top-level fields are not JSON Schema keywords; declaring them keeps
    // Ajv strict about everything else.
    ajv.addVocabulary(['openapi', 'info', 'servers', 'security', 'tags', 'paths', 'components']);
    ajv.addSchema(openApiDocument(), 'openapi');
  }
  const validate = ajv.getSchema(`openapi#/components/schemas/${name}`);
  if (!validate) throw new Error(`schemas/admin/openapi.json has no schema ${name}`);
  if (!validate(value)) {
    throw fail('invalid-request', (validate.errors ?? []).map(problem).join('; '));
  }
  return value as T;
}

function problem(e: ErrorObject): string {
  const where = e.instancePath || '(body)';
  if (e.keyword === 'additionalProperties') return `${where} has unknown property "${String(e.params.additionalProperty)}"`;
  // Ajv's own enum message does not say which values are allowed.
  if (e.keyword === 'enum') return `${where} must be one of ${(e.params.allowedValues as unknown[]).map(String).join(', ')}`;
  return `${where} ${e.message ?? 'is invalid'}`;
}
