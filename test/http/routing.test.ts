/**
 * The route table (src/app.ts, run by src/http/dispatch.ts) matches as Express did: HEAD is
 * answered like GET without a body (RFC 9110 §9.3.2), other methods on a known path are 405
 * with Allow (§15.5.6), paths match case-insensitively with or without the trailing slash,
 * and an unknown path is a TAXII 404 (TAXII 2.1 §3.6 Error Message).
 */
import request from 'supertest';
import type { CollectionRecord } from '../../src/catalog/types';
import { createHarness, indicator, TAXII, type Harness } from '../support/harness';
import { add, freshCollection, objectsUrl, taxii } from './wire';

describe('TAXII 2.1 routes: methods and paths', () => {
  let h: Harness;
  let c: CollectionRecord;
  beforeAll(async () => {
    h = await createHarness();
    c = await freshCollection(h);
    await add(h, c, [indicator(1)]);
  });
  afterAll(() => h.close());

  it('RFC 9110 §9.3.2 HEAD on Get Objects answers 200 with the GET headers and no body', async () => {
    const res = await request(h.app).head(objectsUrl(c)).set('Accept', TAXII).set('Authorization', h.accounts.reader.auth);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(TAXII);
    expect(res.headers['x-taxii-date-added-first']).toBeDefined();
    expect(res.text ?? '').toBe('');
  });

  it.each(['put', 'patch', 'options'] as const)('RFC 9110 §15.5.6 %s on Get Objects is 405 with Allow: GET, POST', async (method) => {
    const res = await request(h.app)[method](objectsUrl(c)).set('Accept', TAXII).set('Authorization', h.accounts.reader.auth);
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, POST');
  });

  it('the fixed parts of a path match whatever their case (API root and collection names are data), with or without the trailing slash', async () => {
    for (const path of ['/TAXII2/', '/taxii2', '/api1/Collections']) {
      expect((await request(h.app).get(path).set('Accept', TAXII).set('Authorization', h.accounts.reader.auth)).status).toBe(200);
    }
  });

  it('§3.6 a path outside the table is a TAXII 404', async () => {
    taxii(await request(h.app).get('/api1/collections/x/y/z/w/v/').set('Accept', TAXII).set('Authorization', h.accounts.reader.auth), 404, 'error');
  });
});
