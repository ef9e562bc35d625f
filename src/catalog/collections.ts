/**
 * Creating and changing collections one at a time (the admin API and `accord collection add`),
 * validated by schemas/admin/collection.json and against the catalogue: the API root must
 * exist and the alias must be free in it, because TAXII clients address collections by alias
 * as well as by id. Knows no HTTP, so the CLI uses it too.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { STIX_MEDIA_TYPES } from './catalog';
import { packageRoot } from '../paths';
import type { Store } from '../store/store';
import type { CollectionRecord, TlpCeiling } from './types';
import type { Clock } from '../time';
import { fail } from '../errors';

/** The wire form (snake_case), as in schemas/admin/collection.json. */
export interface CollectionInput {
  id?: string;
  api_root: string;
  alias: string;
  title: string;
  description?: string;
  country?: string;
  unmarked_as?: TlpCeiling;
}

// Lower case only: TAXII compares collection ids as strings, so one collection has one spelling.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let validator: ReturnType<Ajv2020['compile']> | undefined;

function checkSchema(input: unknown): CollectionInput {
  validator ??= new Ajv2020({ allErrors: true }).compile(JSON.parse(readFileSync(join(packageRoot(), 'schemas/admin/collection.json'), 'utf8')));
  if (!validator(input)) {
    const problems = (validator.errors ?? []).map((e) =>
      e.keyword === 'additionalProperties'
        ? `unknown property "${String(e.params.additionalProperty)}"`
        : `${e.instancePath || '(collection)'} ${e.message ?? 'is invalid'}`,
    );
    throw fail('invalid-collection', `invalid collection: ${problems.join('; ')}`);
  }
  return input as CollectionInput;
}

/** Creates the collection `id` or replaces its description; keeps the media types of one that exists. */
export async function putCollection(
  store: Store,
  clock: Clock,
  by: string,
  id: string,
  raw: unknown,
): Promise<{ collection: CollectionRecord; created: boolean }> {
  if (!UUID.test(id)) throw fail('invalid-collection', `invalid collection: the id "${id}" is not a UUID (lower-case hex, 8-4-4-4-12)`);
  const input = checkSchema(raw);
  if (input.id !== undefined && input.id !== id)
    throw fail('invalid-collection', 'invalid collection: the id in the body differs from the one in the path');
  if (!(await store.getApiRoot(input.api_root))) throw fail('invalid-collection', `invalid collection: no API root "${input.api_root}"`);
  const existing = (await store.listCollections()).find((c) => c.id === id);
  const clash = (await store.listCollections(input.api_root)).find((c) => c.alias === input.alias && c.id !== id);
  if (clash) throw fail('conflict', `the alias "${input.alias}" is taken in API root "${input.api_root}" by collection ${clash.id}`);
  const collection: CollectionRecord = {
    id,
    apiRoot: input.api_root,
    alias: input.alias,
    title: input.title,
    ...(input.description !== undefined && { description: input.description }),
    ...(input.country !== undefined && { country: input.country }),
    mediaTypes: existing?.mediaTypes ?? STIX_MEDIA_TYPES,
    ...(input.unmarked_as !== undefined && { unmarkedAs: input.unmarked_as }),
  };
  await store.upsertCollection(collection, {
    at: clock(),
    by,
    entity: 'collection',
    entityId: id,
    action: existing ? 'update' : 'create',
    detail: {
      api_root: collection.apiRoot,
      alias: collection.alias,
      title: collection.title,
      ...(collection.unmarkedAs !== undefined && { unmarked_as: collection.unmarkedAs }),
    },
  });
  return { collection, created: existing === undefined };
}

/** The wire form of a collection as administrators see it (TAXII's own resource lacks root and country). */
export function collectionResource(c: CollectionRecord) {
  return {
    id: c.id,
    api_root: c.apiRoot,
    ...(c.alias !== undefined && { alias: c.alias }),
    ...(c.country !== undefined && { country: c.country }),
    title: c.title,
    ...(c.description !== undefined && { description: c.description }),
    ...(c.unmarkedAs !== undefined && { unmarked_as: c.unmarkedAs }),
  };
}
