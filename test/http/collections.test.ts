import request from 'supertest';
import { createHarness, TAXII, type Harness } from '../support/harness';
import { collectionUrl, get, slashForms, taxii, type CollectionBody } from './wire';

const STIX21 = ['application/stix+json;version=2.1'];

describe('TAXII 2.1 §5.1 Get Collections', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  const expected = (alias: 'alpha' | 'beta' | 'gamma', canRead: boolean, canWrite: boolean): CollectionBody => ({
    id: h.collections[alias].id,
    title: `Collection ${alias}`,
    description: `the ${alias} collection`,
    alias,
    can_read: canRead,
    can_write: canWrite,
    media_types: STIX21,
  });

  it('§5.1.1 lists the API root’s collections with can_read/can_write for a reader, with and without the trailing slash', async () => {
    for (const url of slashForms('/api1/collections/')) {
      const body = taxii(await get(h, url, h.accounts.reader.auth), 200, 'collections');
      expect(body.collections).toEqual([expected('alpha', true, false), expected('beta', true, false)]);
    }
  });

  it('§5.1.1 can_write is true for a writer and an editor (writer + deleter)', async () => {
    for (const role of ['writer', 'editor'] as const) {
      const body = taxii(await get(h, '/api1/collections/', h.accounts[role].auth), 200, 'collections');
      expect(body.collections).toEqual([expected('alpha', true, true), expected('beta', true, true)]);
    }
  });

  it('§5.1.1 a Basic (password) reader sees the same as a token reader', async () => {
    const res = await request(h.app).get('/api1/collections/').auth(h.basic.name, h.basic.password).set('Accept', TAXII);
    expect(taxii(res, 200, 'collections').collections).toEqual([expected('alpha', true, false), expected('beta', true, false)]);
  });

  it('§5.1.1 lists only the collections of the requested API root', async () => {
    const body = taxii(await get(h, '/api2/collections/', h.accounts.reader.auth), 200, 'collections');
    expect(body.collections).toEqual([expected('gamma', true, false)]);
  });

  it('§5.1.1 omits the collections property when the caller may see none (auditor)', async () => {
    const res = await get(h, '/api1/collections/', h.accounts.auditor.auth);
    expect(taxii(res, 200, 'collections')).toEqual({});
    expect(res.text).toBe('{}');
  });

  it('§5.1 an unknown API root is 404', async () => {
    expect(taxii(await get(h, '/nope/collections/'), 404, 'error').title).toBe('API root not found');
  });

  it('§5.1 any method but GET is 405 with Allow', async () => {
    const res = await request(h.app).post('/api1/collections/').set('Authorization', h.accounts.editor.auth).set('Content-Type', TAXII).send('{}');
    taxii(res, 405, 'error');
    expect(res.headers.allow).toBe('GET');
  });
});

describe('TAXII 2.1 §5.2 Get A Collection', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  it('§5.2.1 returns the collection with the reader’s rights, with and without the trailing slash', async () => {
    for (const url of slashForms(collectionUrl(h.collections.alpha))) {
      const body = taxii(await get(h, url, h.accounts.reader.auth), 200, 'collection');
      expect(body).toEqual({
        id: h.collections.alpha.id,
        title: 'Collection alpha',
        description: 'the alpha collection',
        alias: 'alpha',
        can_read: true,
        can_write: false,
        media_types: STIX21,
      });
    }
  });

  it.each([
    ['reader', true, false],
    ['writer', true, true],
    ['editor', true, true],
  ] as const)('§5.2.1 can_read/can_write describe the caller (%s: %s/%s)', async (role, canRead, canWrite) => {
    const body = taxii(await get(h, collectionUrl(h.collections.beta), h.accounts[role].auth), 200, 'collection');
    expect([body.can_read, body.can_write]).toEqual([canRead, canWrite]);
  });

  it('§5.2 a collection is also found by its alias (Accord: docs/conformance.md)', async () => {
    const body = taxii(await get(h, '/api2/collections/gamma/', h.accounts.reader.auth), 200, 'collection');
    expect(body.id).toBe(h.collections.gamma.id);
  });

  it('§5.2 an unknown collection is 404', async () => {
    const body = taxii(await get(h, '/api1/collections/0d5cf0c0-7f5e-4b7e-9d4e-2b8b1f6a9c11/'), 404, 'error');
    expect(body.title).toBe('Collection not found');
  });

  it('§5.2 a collection of another API root is 404 under this one', async () => {
    taxii(await get(h, `/api1/collections/${h.collections.gamma.id}/`), 404, 'error');
    taxii(await get(h, '/api1/collections/gamma/'), 404, 'error');
  });

  it('§5.2 a collection the caller can neither read nor write (auditor) is 404, the same answer as an unknown one', async () => {
    const unknown = await get(h, '/api1/collections/0d5cf0c0-7f5e-4b7e-9d4e-2b8b1f6a9c11/', h.accounts.auditor.auth);
    const hidden = await get(h, collectionUrl(h.collections.alpha), h.accounts.auditor.auth);
    expect(taxii(hidden, 404, 'error')).toEqual(taxii(unknown, 404, 'error'));
  });
});
