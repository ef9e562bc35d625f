/**
 * src/catalog/catalog.ts: the declarative catalogue (collections/) applied to a store. Ids
 * are derived, so every deployment names France's collection the same way, and applying
 * the catalogue again changes nothing.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyCatalog, COLLECTION_NAMESPACE, countryCollectionId, defaultCatalogDir, namedCollectionId } from '../../src/catalog/catalog';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import type { CollectionRecord } from '../../src/catalog/types';
import type { Store } from '../../src/store/store';

/** TAXII 2.1 §2 identifier: an RFC 4122 version-4 UUID (version nibble 4, variant 10xx). */
const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const FRANCE_ID = '44123920-c9de-45d4-840c-7db306df6002';
const MAX = 10 * 1024 * 1024;
const MEDIA = ['application/stix+json;version=2.1'];
/** 2026-01-01T00:00:00Z: when these catalogue changes are made. */
const clock = () => Date.UTC(2026, 0, 1) * 1000;

/** RFC 4122 §4.3 name-based (SHA-1) UUID, stamped version 4: written out here independently. */
function expectedId(name: string): string {
  const hash = createHash('sha1')
    .update(Buffer.from(COLLECTION_NAMESPACE.replace(/-/g, ''), 'hex'))
    .update(name)
    .digest();
  hash[6] = ((hash[6] as number) & 0x0f) | 0x40;
  hash[8] = ((hash[8] as number) & 0x3f) | 0x80;
  const h = hash.toString('hex', 0, 16);
  return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20, 32)].join('-');
}

const byId = (a: CollectionRecord, b: CollectionRecord) => a.id.localeCompare(b.id);

describe('applyCatalog on the repository catalogue (collections/)', () => {
  let store: Store;
  beforeEach(() => {
    store = new SqliteStore(':memory:');
  });
  afterEach(() => store.close());

  it('creates 2 API roots, 196 country collections plus 3 others, and the operator party', async () => {
    expect(await applyCatalog(store, defaultCatalogDir(), MAX, clock, 'test')).toEqual({ apiRoots: 2, collections: 199, parties: 1 });
    expect((await store.listApiRoots()).map((r) => r.path).sort()).toEqual(['exchange', 'sandbox']);
    const exchange = await store.listCollections('exchange');
    expect(exchange).toHaveLength(198);
    expect(exchange.filter((c) => c.country !== undefined)).toHaveLength(196);
    expect(
      exchange
        .filter((c) => c.country === undefined)
        .map((c) => c.alias)
        .sort(),
    ).toEqual(['global', 'vendor-inbox']);
    expect((await store.listCollections('sandbox')).map((c) => c.alias)).toEqual(['sandbox']);
    expect(await store.listParties()).toEqual([{ id: 'operator', name: 'Exchange operator', kind: 'operator' }]);
  });

  it('France: a stable, version-4-form id, title "France (FR)", alias "fr", found by id and by alias', async () => {
    await applyCatalog(store, defaultCatalogDir(), MAX, clock, 'test');
    const france: CollectionRecord = {
      id: FRANCE_ID,
      apiRoot: 'exchange',
      alias: 'fr',
      country: 'FR',
      title: 'France (FR)',
      description: 'Threat intelligence shared with and by France',
      mediaTypes: MEDIA,
    };
    expect(await store.getCollection('exchange', 'fr')).toEqual(france);
    expect(await store.getCollection('exchange', FRANCE_ID)).toEqual(france);
    expect(FRANCE_ID).toMatch(UUID4);
    expect(countryCollectionId('FR')).toBe(FRANCE_ID);
    expect(countryCollectionId('fr')).toBe(FRANCE_ID);
    expect(expectedId('country:FR')).toBe(FRANCE_ID);
  });

  it('every collection id is a distinct version-4-form UUID derived from its name', async () => {
    await applyCatalog(store, defaultCatalogDir(), MAX, clock, 'test');
    const all = await store.listCollections();
    expect(all).toHaveLength(199);
    expect(new Set(all.map((c) => c.id)).size).toBe(199);
    for (const c of all) {
      expect(c.id).toMatch(UUID4);
      expect(c.id).toBe(c.country ? expectedId(`country:${c.country}`) : expectedId(`collection:${c.apiRoot}/${c.alias}`));
    }
    expect(namedCollectionId('exchange', 'global')).toBe('6c513d45-da2e-4245-a436-f8d5828d7136');
  });

  it('country collections follow countries.json: alias is the lower-case code, title "Name (CODE)"', async () => {
    await applyCatalog(store, defaultCatalogDir(), MAX, clock, 'test');
    const { countries } = JSON.parse(readFileSync(join(defaultCatalogDir(), 'countries.json'), 'utf8')) as {
      countries: { code: string; name: string }[];
    };
    const byAlias = new Map((await store.listCollections('exchange')).map((c) => [c.alias, c]));
    for (const { code, name } of countries) {
      expect(byAlias.get(code.toLowerCase())).toMatchObject({ country: code, title: `${name} (${code})` });
    }
  });

  it('API roots take max_content_length from the catalogue, content policy defaults where absent', async () => {
    await applyCatalog(store, defaultCatalogDir(), 1234, clock, 'test');
    expect(await store.getApiRoot('sandbox')).toEqual({
      path: 'sandbox',
      title: 'Training sandbox',
      description: 'For testing clients and feeds; nothing here is shared',
      maxContentLength: 10485760,
      contentPolicy: 'permissive',
      allowedSpecVersions: ['2.1'],
    });
  });

  it('applying it twice changes nothing', async () => {
    const first = await applyCatalog(store, defaultCatalogDir(), MAX, clock, 'test');
    const snapshot = async () => ({
      roots: (await store.listApiRoots()).sort((a, b) => a.path.localeCompare(b.path)),
      collections: (await store.listCollections()).sort(byId),
      parties: await store.listParties(),
    });
    const before = await snapshot();
    expect(await applyCatalog(store, defaultCatalogDir(), MAX, clock, 'test')).toEqual(first);
    expect(await snapshot()).toEqual(before);
  });
});

describe('applyCatalog refuses a bad catalogue before writing anything', () => {
  let dir: string;
  let store: Store;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'accord-catalog-'));
    store = new SqliteStore(':memory:');
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const write = (
    catalog: unknown,
    countries: { code: string; name: string }[] = [
      { code: 'FR', name: 'France' },
      { code: 'DE', name: 'Germany' },
    ],
  ) => {
    writeFileSync(join(dir, 'catalog.json'), JSON.stringify(catalog));
    writeFileSync(join(dir, 'countries.json'), JSON.stringify({ source: 'test', as_of: '2025-11-27', countries }));
  };
  const root = (path: string, extra: Record<string, unknown> = {}) => ({ path, title: `Root ${path}`, ...extra });

  async function refusal(): Promise<string> {
    let error: unknown;
    try {
      await applyCatalog(store, dir, MAX, clock, 'test');
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'invalid-catalogue' });
    expect(await store.listApiRoots()).toEqual([]);
    expect(await store.listCollections()).toEqual([]);
    return (error as Error).message;
  }

  it('a small valid catalogue applies (the fixture itself is sound)', async () => {
    write({ api_roots: [root('x', { country_collections: true })], collections: [{ api_root: 'x', alias: 'all', title: 'All' }] });
    expect(await applyCatalog(store, dir, MAX, clock, 'test')).toEqual({ apiRoots: 1, collections: 3, parties: 0 });
    expect((await store.listCollections('x')).map((c) => c.alias).sort()).toEqual(['all', 'de', 'fr']);
  });

  it('a collection may say what its unmarked content counts as (unmarked_as), and only a TLP level', async () => {
    write({ api_roots: [root('x')], collections: [{ api_root: 'x', alias: 'attack', title: 'MITRE ATT&CK', unmarked_as: 'clear' }] });
    await applyCatalog(store, dir, MAX, clock, 'test');
    expect((await store.getCollection('x', 'attack'))?.unmarkedAs).toBe('clear');
    write({ api_roots: [root('y')], collections: [{ api_root: 'y', alias: 'attack', title: 'MITRE ATT&CK', unmarked_as: 'white' }] });
    await expect(applyCatalog(store, dir, MAX, clock, 'test')).rejects.toThrow(/unmarked_as must be equal to one of the allowed values/);
  });

  it('a collection alias that clashes with a country alias', async () => {
    write({ api_roots: [root('x', { country_collections: true })], collections: [{ api_root: 'x', alias: 'fr', title: 'Not France' }] });
    expect(await refusal()).toBe('two collections in API root "x" share the alias "fr"');
  });

  it('two collections with one alias in one API root', async () => {
    write({
      api_roots: [root('x')],
      collections: [
        { api_root: 'x', alias: 'same', title: 'One' },
        { api_root: 'x', alias: 'same', title: 'Two' },
      ],
    });
    expect(await refusal()).toBe('two collections in API root "x" share the alias "same"');
  });

  it('a collection in an unknown API root', async () => {
    write({ api_roots: [root('x')], collections: [{ api_root: 'nope', alias: 'c', title: 'C' }] });
    expect(await refusal()).toBe('collection "c" names unknown API root "nope"');
  });

  it('two collections with one id (an explicit id repeated)', async () => {
    const id = '0c7b5b0c-3b1e-4c39-9d2a-2b7f2f1f4e11';
    write({
      api_roots: [root('x'), root('y')],
      collections: [
        { api_root: 'x', alias: 'a', title: 'A', id },
        { api_root: 'y', alias: 'b', title: 'B', id },
      ],
    });
    expect(await refusal()).toMatch(new RegExp(`share the id ${id}`));
  });

  it('two API roots with country collections (country collection ids would collide)', async () => {
    write({ api_roots: [root('x', { country_collections: true }), root('y', { country_collections: true })], collections: [] });
    expect(await refusal()).toMatch(new RegExp(`share the id ${countryCollectionId('FR')}`));
  });

  it('a catalogue that breaks its schema, naming the file', async () => {
    write({ api_roots: [root('Bad Path')], collections: [] });
    expect(await refusal()).toContain(join(dir, 'catalog.json'));
  });

  it('an API root named after a path the server itself serves (its console and /me would shadow it)', async () => {
    for (const path of ['taxii2', 'healthz', 'readyz', 'admin', 'audit', 'me', 'console']) {
      write({ api_roots: [root(path)], collections: [] });
      expect(await refusal()).toContain(join(dir, 'catalog.json'));
    }
  });

  it('a missing catalogue file', async () => {
    expect(await refusal()).toContain(`cannot read ${join(dir, 'catalog.json')}`);
  });
});
