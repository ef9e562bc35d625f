/**
 * The declarative catalogue in collections/: API roots, collections (one per country where
 * a root asks for them) and parties. Applying it is idempotent: ids are derived, never
 * random, so every deployment names France's collection the same way and re-applying
 * changes nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { packageRoot } from '../paths';
import type { Store } from '../store/store';
import type { Clock } from '../time';
import type { ApiRootRecord, ChangeRecord, CollectionRecord, PartyRecord, TlpCeiling } from './types';
import { derivedUuid4 } from './uuid';
import { fail } from '../errors';

/** Fixed namespace for derived collection ids. Never change it: ids would change with it. */
export const COLLECTION_NAMESPACE = 'c2a032be-6e27-4542-92b0-b1c6fffb65a9';
export const STIX_MEDIA_TYPES = ['application/stix+json;version=2.1'];

export const countryCollectionId = (code: string) => derivedUuid4(COLLECTION_NAMESPACE, `country:${code.toUpperCase()}`);
export const namedCollectionId = (apiRoot: string, alias: string) => derivedUuid4(COLLECTION_NAMESPACE, `collection:${apiRoot}/${alias}`);

interface CatalogFile {
  api_roots: {
    path: string;
    title: string;
    description?: string;
    max_content_length?: number;
    content_policy?: 'permissive' | 'strict';
    allowed_spec_versions?: string[];
    country_collections?: boolean;
  }[];
  collections: { api_root: string; alias: string; id?: string; title: string; description?: string; unmarked_as?: TlpCeiling }[];
  parties?: { id: string; name: string; kind: string; country?: string; identity_ref?: string }[];
}

interface CountriesFile {
  countries: { code: string; name: string }[];
}

export const defaultCatalogDir = () => join(packageRoot(), 'collections');

function readChecked<T>(file: string, schemaFile: string): T {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw fail('invalid-catalogue', `cannot read ${file}: ${(e as Error).message}`);
  }
  const ajv = new Ajv2020({ allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(join(packageRoot(), 'schemas/catalog', schemaFile), 'utf8')));
  if (!validate(value)) {
    const problems = (validate.errors ?? []).map((e) => `${e.instancePath || '(top)'} ${e.message ?? ''}`);
    throw fail('invalid-catalogue', `${file} is invalid: ${problems.join('; ')}`);
  }
  return value as T;
}

/** Field-by-field equality of two records as stored (absent and undefined fields are the same). */
function sameRecord<T extends object>(a: T, b: T): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof T>;
  return [...keys].every((k) => JSON.stringify(a[k]) === JSON.stringify(b[k]));
}

export interface CatalogSummary {
  apiRoots: number;
  collections: number;
  parties: number;
}

/** `by` names who applies it (the local operator); each change it makes is logged under that name. */
export async function applyCatalog(store: Store, dir: string, defaultMaxContentLength: number, clock: Clock, by: string): Promise<CatalogSummary> {
  const catalog = readChecked<CatalogFile>(join(dir, 'catalog.json'), 'catalog.json');
  const needsCountries = catalog.api_roots.some((r) => r.country_collections);
  const countries = needsCountries ? readChecked<CountriesFile>(join(dir, 'countries.json'), 'countries.json').countries : [];
  const rootPaths = new Set(catalog.api_roots.map((r) => r.path));

  const collections: CollectionRecord[] = [];
  for (const root of catalog.api_roots) {
    if (!root.country_collections) continue;
    for (const c of countries) {
      collections.push({
        id: countryCollectionId(c.code),
        apiRoot: root.path,
        alias: c.code.toLowerCase(),
        country: c.code,
        title: `${c.name} (${c.code})`,
        description: `Threat intelligence shared with and by ${c.name}`,
        mediaTypes: STIX_MEDIA_TYPES,
      });
    }
  }
  for (const c of catalog.collections) {
    if (!rootPaths.has(c.api_root)) throw fail('invalid-catalogue', `collection "${c.alias}" names unknown API root "${c.api_root}"`);
    collections.push({
      id: c.id ?? namedCollectionId(c.api_root, c.alias),
      apiRoot: c.api_root,
      alias: c.alias,
      title: c.title,
      ...(c.description !== undefined && { description: c.description }),
      mediaTypes: STIX_MEDIA_TYPES,
      ...(c.unmarked_as !== undefined && { unmarkedAs: c.unmarked_as }),
    });
  }
  const seen = new Set<string>();
  const ids = new Map<string, CollectionRecord>();
  for (const c of collections) {
    const key = `${c.apiRoot}/${c.alias ?? ''}`;
    if (seen.has(key)) throw fail('invalid-catalogue', `two collections in API root "${c.apiRoot}" share the alias "${c.alias ?? ''}"`);
    seen.add(key);
    // Collections are stored by id, so a second one with the same id would silently replace
    // the first (e.g. two roots with country collections: country ids depend on the code only).
    const other = ids.get(c.id);
    if (other) throw fail('invalid-catalogue', `collections "${other.apiRoot}/${other.alias ?? ''}" and "${key}" share the id ${c.id}`);
    ids.set(c.id, c);
  }

  // Only what differs from the store is written, each write with its change event: applying
  // the same catalogue twice changes nothing and logs nothing.
  const change = (entity: ChangeRecord['entity'], entityId: string, existed: boolean, detail: Record<string, unknown>): ChangeRecord => ({
    at: clock(),
    by,
    entity,
    entityId,
    action: existed ? 'update' : 'create',
    detail,
  });
  const roots = new Map((await store.listApiRoots()).map((r) => [r.path, r]));
  for (const r of catalog.api_roots) {
    const root: ApiRootRecord = {
      path: r.path,
      title: r.title,
      ...(r.description !== undefined && { description: r.description }),
      maxContentLength: r.max_content_length ?? defaultMaxContentLength,
      contentPolicy: r.content_policy ?? 'permissive',
      allowedSpecVersions: r.allowed_spec_versions ?? ['2.1'],
    };
    const old = roots.get(r.path);
    if (old && sameRecord(old, root)) continue;
    await store.upsertApiRoot(
      root,
      change('api-root', root.path, old !== undefined, {
        title: root.title,
        max_content_length: root.maxContentLength,
        content_policy: root.contentPolicy,
      }),
    );
  }
  const stored = new Map((await store.listCollections()).map((c) => [c.id, c]));
  for (const c of collections) {
    const old = stored.get(c.id);
    if (old && sameRecord(old, c)) continue;
    await store.upsertCollection(c, change('collection', c.id, old !== undefined, { api_root: c.apiRoot, alias: c.alias, title: c.title }));
  }
  const parties = new Map((await store.listParties()).map((p) => [p.id, p]));
  for (const p of catalog.parties ?? []) {
    const party: PartyRecord = {
      id: p.id,
      name: p.name,
      kind: p.kind,
      ...(p.country !== undefined && { country: p.country }),
      ...(p.identity_ref !== undefined && { identityRef: p.identity_ref }),
    };
    const old = parties.get(p.id);
    if (old && sameRecord(old, party)) continue;
    await store.upsertParty(party, change('party', party.id, old !== undefined, { name: party.name, kind: party.kind }));
  }
  return { apiRoots: catalog.api_roots.length, collections: collections.length, parties: catalog.parties?.length ?? 0 };
}
