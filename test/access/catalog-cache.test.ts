/**
 * The catalogue cache (src/access/catalog-cache.ts) is validated by one revision read per
 * request. These tests make every change through a SECOND connection to the same SQLite file,
 * as another server process (`--workers`) or the CLI would: the serving process hears of it
 * only through the revision, and must still apply it on the next request (TAXII 2.1 §1.6.7
 * Authentication and Authorization).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { changeAccount, revokeToken } from '../../src/catalog/accounts';
import { createAgreement, setAgreementStatus } from '../../src/catalog/agreements';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { testChange } from '../support/changes';
import { createHarness, TAXII, type Harness } from '../support/harness';
import { collectionUrl, taxii } from '../http/wire';

describe('TAXII 2.1 §1.6.7 catalogue changes made by another process apply on the next request', () => {
  let dir: string;
  let h: Harness;
  let other: SqliteStore;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'accord-catalog-cache-'));
    const file = join(dir, 'a.db');
    h = await createHarness({ storeFile: file });
    other = new SqliteStore(file);
  });
  afterAll(async () => {
    await other.close();
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (path: string, auth: string) => request(h.app).get(path).set('Accept', TAXII).set('Authorization', auth);
  const collectionsOf = async (auth: string) => (taxii(await get('/api1/collections/', auth), 200, 'collections').collections ?? []).map((c) => c.id);

  it('a token revoked by another process is refused (401) on its next request', async () => {
    const auth = h.accounts.auditor.auth;
    expect((await get('/taxii2/', auth)).status).toBe(200);
    const [token] = await other.listTokens(h.accounts.auditor.id);
    await revokeToken(other, h.clock.read, (token as { id: string }).id, 'test');
    expect((await get('/taxii2/', auth)).status).toBe(401);
  });

  it('an account disabled by another process is refused on its next request, and works again once re-enabled', async () => {
    const auth = h.accounts.reader.auth;
    expect((await get(collectionUrl(h.collections.alpha), auth)).status).toBe(200);
    await changeAccount(other, h.clock.read, 'reader', { disabled: true }, 'test');
    expect((await get(collectionUrl(h.collections.alpha), auth)).status).toBe(401);
    await changeAccount(other, h.clock.read, 'reader', { disabled: false }, 'test');
    expect((await get(collectionUrl(h.collections.alpha), auth)).status).toBe(200);
  });

  it('a collection created by another process is listed, and readable, on the next request', async () => {
    const auth = h.accounts.writer.auth;
    const id = '0f0f0f0f-0000-4000-8000-000000000001';
    expect(await collectionsOf(auth)).not.toContain(id);
    await other.upsertCollection(
      { id, apiRoot: 'api1', title: 'made elsewhere', mediaTypes: ['application/stix+json;version=2.1'] },
      testChange('collection', id),
    );
    expect(await collectionsOf(auth)).toContain(id);
    expect((await get(`/api1/collections/${id}/`, auth)).status).toBe(200);
  });

  it('an agreement suspended by another process stops access on the next request (404), and resumed restores it', async () => {
    await other.upsertParty({ id: 'p-cache', name: 'Cache test party', kind: 'agency' }, testChange('party', 'p-cache'));
    await changeAccount(other, h.clock.read, 'basic-reader', { partyId: 'p-cache' }, 'test');
    const auth = `Basic ${Buffer.from(`${h.basic.name}:${h.basic.password}`).toString('base64')}`;
    await createAgreement(other, h.clock.read, 'test', {
      id: 'cache-ag',
      title: 'cache',
      instrument: 'urn:test:cache',
      parties: ['p-cache'],
      valid_from: '2000-01-01T00:00:00Z',
      status: 'active',
      grants: [{ party: 'p-cache', actions: ['read'], collections: { aliases: ['beta'] }, max_tlp: 'red', unmarked_as: 'clear' }],
    });
    expect(await collectionsOf(auth)).toEqual([h.collections.beta.id]);
    await setAgreementStatus(other, h.clock.read, 'test', 'cache-ag', 'suspended');
    expect((await get(collectionUrl(h.collections.beta), auth)).status).toBe(404);
    expect(await collectionsOf(auth)).toEqual([]);
    await setAgreementStatus(other, h.clock.read, 'test', 'cache-ag', 'active');
    expect((await get(collectionUrl(h.collections.beta), auth)).status).toBe(200);
  });
});

describe('TAXII 2.1 §5.1 Get Collections lists exactly what the grants name, in a large catalogue', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ operatorAgreement: false });
    for (let i = 0; i < 200; i++) {
      await h.store.upsertCollection(
        {
          id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
          apiRoot: 'api1',
          title: `country ${String(i).padStart(3, '0')}`,
          alias: `c${i}`,
          ...(i % 50 === 0 && { country: 'FR' }),
          mediaTypes: ['application/stix+json;version=2.1'],
        },
        testChange('collection', `c${i}`),
      );
    }
  });
  afterAll(() => h.close());

  const listFor = async (party: string, collections: Record<string, unknown>) => {
    await h.store.upsertParty({ id: party, name: party, kind: 'agency' }, testChange('party', party));
    await changeAccount(h.store, h.clock.read, 'reader', { partyId: party }, 'test');
    await createAgreement(h.store, h.clock.read, 'test', {
      id: `ag-${party}`,
      title: party,
      instrument: 'urn:test',
      parties: [party],
      valid_from: '2000-01-01T00:00:00Z',
      status: 'active',
      grants: [{ party, actions: ['read'], collections, max_tlp: 'red', unmarked_as: 'clear' }],
    });
    const res = await request(h.app).get('/api1/collections/').set('Accept', TAXII).set('Authorization', h.accounts.reader.auth);
    return (taxii(res, 200, 'collections').collections ?? []).map((c) => c.title);
  };

  it('by id, alias and country: only those, in title order, each once', async () => {
    const titles = await listFor('p-named', { ids: ['00000000-0000-4000-8000-000000000007'], aliases: ['c3', 'beta'], countries: ['FR'] });
    expect(titles).toEqual(['Collection beta', 'country 000', 'country 003', 'country 007', 'country 050', 'country 100', 'country 150']);
  });

  it('every collection of the API root when a grant covers all', async () => {
    expect(await listFor('p-all', { all: true })).toHaveLength(202);
  });

  it("every country collection of the API root, and only those, when a grant names every country ('*')", async () => {
    expect(await listFor('p-star', { countries: ['*'] })).toEqual(['country 000', 'country 050', 'country 100', 'country 150']);
  });
});
