/**
 * TAXII 2.1 §3.6 Errors and §3.4 query parameters across endpoints: every failure is a TAXII
 * error resource with the TAXII media type, and each endpoint takes exactly the parameters the
 * standard gives it.
 */
import request from 'supertest';
import type { CollectionRecord } from '../../src/catalog/types';
import { createHarness, indicator, TAXII, type Harness } from '../support/harness';
import { add, collectionUrl, del, freshCollection, get, manifestUrl, objectsUrl, objectUrl, qs, statusUrl, taxii, versionsUrl } from './wire';

describe('TAXII 2.1 §3.6.1 Error Message', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  it.each(['/', '/api1/nothing/', '/api1/collections/alpha/objects/x/y/z/', '/taxii2/extra/', '/api1/status/'])(
    '§3.6 an unknown path (%s) is a 404 error resource',
    async (path) => {
      expect(taxii(await get(h, path), 404, 'error').title).toBe('Not found');
    },
  );

  it.each([
    ['put', '/taxii2/', 'GET'],
    ['post', '/api1/', 'GET'],
    ['delete', '/api1/collections/', 'GET'],
    ['put', '/api1/collections/alpha/', 'GET'],
    ['post', '/api1/collections/alpha/manifest/', 'GET'],
    ['delete', '/api1/collections/alpha/objects/', 'GET, POST'],
    ['patch', `/api1/collections/alpha/objects/${indicator(1).id as string}/`, 'GET, DELETE'],
    ['post', `/api1/collections/alpha/objects/${indicator(1).id as string}/versions/`, 'GET'],
    ['delete', '/api1/status/4d3c2b1a-0f9e-4d8c-b7a6-958473625140/', 'GET'],
  ] as const)('§3.6 %s %s is 405 with Allow: %s', async (method, path, allow) => {
    const res = await request(h.app)[method](path).set('Authorization', h.accounts.editor.auth).set('Accept', TAXII);
    taxii(res, 405, 'error');
    expect(res.headers.allow).toBe(allow);
  });

  it('§3.6 an undecodable percent-escape in the path is a 400 error resource', async () => {
    taxii(await get(h, '/api1/collections/%E0%A4%A/'), 400, 'error');
    taxii(await get(h, `${objectsUrl(h.collections.alpha)}%ZZ/`), 400, 'error');
  });

  it('§3.6 403 and 404 bodies do not reveal internals', async () => {
    const c = await freshCollection(h);
    const forbidden = taxii(
      await request(h.app).post(objectsUrl(c)).set('Authorization', h.accounts.reader.auth).set('Content-Type', TAXII).send('{"objects":[]}'),
      403,
      'error',
    );
    const missing = taxii(await get(h, objectUrl(c, 'indicator--99999999-0000-4000-8000-000000000000')), 404, 'error');
    for (const body of [forbidden, missing]) expect(JSON.stringify(body)).not.toMatch(/Error:|\bat .*\.ts|sqlite|SELECT/i);
  });

  it('§3.6 a storage failure is a 5xx TAXII error that reveals nothing internal', async () => {
    const broken = await createHarness();
    await broken.store.close();
    const res = await get(broken, objectsUrl(broken.collections.alpha));
    expect(res.status).toBeGreaterThanOrEqual(500);
    const body = taxii(res, res.status, 'error');
    expect(JSON.stringify(body)).not.toMatch(/database|sqlite|connection|Error:/i);
  });
});

describe('TAXII 2.1 §3.4 each endpoint takes exactly the parameters the standard gives it', () => {
  let h: Harness;
  let c: CollectionRecord;
  const ID = indicator(1).id as string;
  const UNKNOWN_ID = 'indicator--99999999-0000-4000-8000-000000000000';
  beforeAll(async () => {
    h = await createHarness();
    c = await freshCollection(h);
    await add(h, c, [indicator(1, '2026-01-01T00:00:00.000Z'), indicator(2), indicator(1, '2026-02-01T00:00:00.000Z')]);
  });
  afterAll(() => h.close());

  type Endpoint = 'objects' | 'manifest' | 'object' | 'versions' | 'delete';
  // The checklist's table (TAXII 2.1 §5.3–§5.8 URL parameters).
  const TABLE: Record<string, readonly Endpoint[]> = {
    added_after: ['objects', 'manifest', 'object', 'versions'],
    limit: ['objects', 'manifest', 'object', 'versions'],
    next: ['objects', 'manifest', 'object', 'versions'],
    'match[id]': ['objects', 'manifest'],
    'match[type]': ['objects', 'manifest'],
    'match[version]': ['objects', 'manifest', 'object', 'delete'],
    'match[spec_version]': ['objects', 'manifest', 'object', 'versions', 'delete'],
  };
  const VALUE: Record<string, string> = {
    added_after: '2020-01-01T00:00:00Z',
    limit: '5',
    'match[id]': ID,
    'match[type]': 'indicator',
    'match[version]': 'all',
    'match[spec_version]': '2.1',
  };
  const ENDPOINTS: readonly Endpoint[] = ['objects', 'manifest', 'object', 'versions', 'delete'];

  const call = (endpoint: Endpoint, query: string) => {
    switch (endpoint) {
      case 'objects':
        return get(h, objectsUrl(c) + query);
      case 'manifest':
        return get(h, manifestUrl(c) + query);
      case 'object':
        return get(h, objectUrl(c, ID) + query);
      case 'versions':
        return get(h, versionsUrl(c, ID) + query);
      case 'delete':
        // An object the collection does not hold: an accepted parameter reaches the store (404).
        return del(h, objectUrl(c, UNKNOWN_ID) + query);
    }
  };

  const cases = Object.keys(TABLE).flatMap((param) => ENDPOINTS.map((endpoint) => [param, endpoint] as const));

  it.each(cases)('§3.4 %s on %s: accepted exactly where the standard lists it', async (param, endpoint) => {
    const accepted = TABLE[param]?.includes(endpoint) ?? false;
    // `next` has no valid value to give in isolation: an accepted one is malformed (not unknown).
    const value = VALUE[param] ?? 'not-a-cursor';
    const res = await call(endpoint, qs({ [param]: value }));
    if (!accepted) {
      const body = taxii(res, 400, 'error');
      expect(body.title).toBe('Unknown parameter');
      expect(body.description).toContain(`"${param}"`);
    } else if (param === 'next') {
      expect(taxii(res, 400, 'error').title).toBe('Malformed parameter');
    } else if (endpoint === 'delete') {
      taxii(res, 404, 'error');
    } else {
      expect(res.status).toBe(200);
    }
  });

  it('§3.4 the object is untouched by the DELETE calls above that were refused', async () => {
    expect(taxii(await get(h, versionsUrl(c, ID)), 200, 'versions').versions).toHaveLength(2);
  });

  it.each([
    ['/taxii2/', 'discovery'],
    ['/api1/', 'api-root'],
    ['/api1/collections/', 'collections'],
    ['collection', 'collection'],
    ['status', 'status'],
  ] as const)('§3.4 %s takes no parameters: one is a 400, not silently ignored', async (where, kind) => {
    const path = where === 'collection' ? collectionUrl(c) : where === 'status' ? statusUrl('api1', (await add(h, c, [indicator(3)])).id) : where;
    taxii(await get(h, path, h.accounts.writer.auth), 200, kind);
    const body = taxii(await get(h, `${path}?limit=5`, h.accounts.writer.auth), 400, 'error');
    expect(body.description).toContain('"limit"');
  });

  it('§3.4 Add Objects takes no parameters: one is a 400 and nothing is stored', async () => {
    const target = await freshCollection(h);
    const res = await request(h.app)
      .post(`${objectsUrl(target)}?match[type]=indicator`)
      .set('Authorization', h.accounts.writer.auth)
      .set('Content-Type', TAXII)
      .send(JSON.stringify({ objects: [indicator(4)] }));
    expect(taxii(res, 400, 'error').description).toContain('"match[type]"');
    expect(taxii(await get(h, objectsUrl(target)), 200, 'envelope')).toEqual({ more: false });
  });
});

describe('TAXII 2.1 §4–§5 endpoint URLs (each ends with "/")', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  it('§4–§5 every endpoint answers the same without the trailing slash, never with a redirect', async () => {
    const c = await freshCollection(h);
    const id = indicator(1).id as string;
    const status = await add(h, c, [indicator(1)], h.accounts.editor.auth);
    const gets = [
      ['/taxii2/', 'discovery'],
      ['/api1/', 'api-root'],
      [statusUrl('api1', status.id), 'status'],
      ['/api1/collections/', 'collections'],
      [collectionUrl(c), 'collection'],
      [manifestUrl(c), 'manifest'],
      [objectsUrl(c), 'envelope'],
      [objectUrl(c, id), 'envelope'],
      [versionsUrl(c, id), 'versions'],
    ] as const;
    for (const [url, kind] of gets) {
      const withSlash = await get(h, url);
      const without = await get(h, url.replace(/\/$/, ''));
      expect(without.headers.location).toBeUndefined();
      expect(taxii(without, 200, kind)).toEqual(taxii(withSlash, 200, kind));
    }
    const posted = await request(h.app)
      .post(objectsUrl(c).replace(/\/$/, ''))
      .set('Authorization', h.accounts.writer.auth)
      .set('Content-Type', TAXII)
      .send(JSON.stringify({ objects: [indicator(2)] }));
    expect(taxii(posted, 202, 'status').success_count).toBe(1);
    const deleted = await del(h, objectUrl(c, id).replace(/\/$/, ''));
    expect([deleted.status, deleted.headers.location]).toEqual([200, undefined]);
    taxii(await get(h, objectUrl(c, id)), 404, 'error');
  });
});
