import request from 'supertest';
import type { CollectionRecord } from '../../src/catalog/types';
import { createHarness, indicator, TAXII, type Harness } from '../support/harness';
import { add, collectionUrl, freshCollection, manifestUrl, objectsUrl, objectUrl, qs, statusUrl, taxii, versionsUrl } from './wire';

describe('TAXII 2.1 §1.6.8 Content Negotiation', () => {
  let h: Harness;
  let c: CollectionRecord;
  let statusId: string;
  beforeAll(async () => {
    h = await createHarness();
    c = await freshCollection(h);
    statusId = (await add(h, c, [indicator(1)])).id;
  });
  afterAll(() => h.close());

  /** Every GET endpoint, and the resource kind it answers with. */
  const endpoints = () =>
    [
      ['/taxii2/', 'discovery'],
      ['/api1/', 'api-root'],
      [statusUrl('api1', statusId), 'status'],
      ['/api1/collections/', 'collections'],
      [collectionUrl(c), 'collection'],
      [manifestUrl(c), 'manifest'],
      [objectsUrl(c), 'envelope'],
      [objectUrl(c, indicator(1).id as string), 'envelope'],
      [versionsUrl(c, indicator(1).id as string), 'versions'],
    ] as const;

  const getWith = (path: string, accept: string | undefined) => {
    const r = request(h.app).get(path).set('Authorization', h.accounts.writer.auth);
    return accept === undefined ? r : r.set('Accept', accept);
  };

  it.each([
    TAXII,
    'application/taxii+json',
    'Application/TAXII+JSON ; Version=2.1',
    'application/taxii+json; version="2.1"',
    'APPLICATION/TAXII+JSON;VERSION=2.1',
    '*/*',
    'application/*',
    'text/html, application/taxii+json;version=2.1;q=0.1',
    'application/json;q=0.9, */*;q=0.1',
    'application/taxii+json;version=2.0, application/taxii+json;version=2.1',
  ])('§1.6.8 Accept: %s is answered with TAXII 2.1 on every endpoint', async (accept) => {
    for (const [path, kind] of endpoints()) taxii(await getWith(path, accept), 200, kind);
  });

  it('§1.6.8 no Accept header is answered with TAXII 2.1 on every endpoint', async () => {
    for (const [path, kind] of endpoints()) taxii(await getWith(path, undefined), 200, kind);
  });

  it.each([
    'application/json',
    'text/html',
    'application/stix+json;version=2.1',
    'application/taxii+json;version=2.0',
    'application/taxii+json;version=3.0',
    'application/taxii+json;version=2.1;q=0',
    'application/taxii+json;q=0',
    '*/*;q=0',
    'application/xml, text/*',
    'text/*',
  ])('§1.6.8 Accept: %s is 406 with a TAXII error on every endpoint', async (accept) => {
    for (const [path] of endpoints()) {
      const body = taxii(await getWith(path, accept), 406, 'error');
      expect(body.description).toContain(TAXII);
    }
  });

  it('§1.6.8 406 is decided before authentication (no credentials needed to learn the media type)', async () => {
    taxii(await request(h.app).get('/taxii2/').set('Accept', 'text/html'), 406, 'error');
  });

  describe('POST bodies', () => {
    const postWith = (coll: CollectionRecord, contentType: string | undefined, accept = TAXII) => {
      const r = request(h.app).post(objectsUrl(coll)).set('Authorization', h.accounts.writer.auth).set('Accept', accept);
      if (contentType !== undefined) r.set('Content-Type', contentType);
      return r.send(JSON.stringify({ objects: [indicator(2)] }));
    };

    const stored = async (coll: CollectionRecord) => {
      const res = await request(h.app)
        .get(manifestUrl(coll) + qs({ 'match[version]': 'all', 'match[spec_version]': '2.0,2.1' }))
        .set('Authorization', h.accounts.editor.auth);
      return taxii(res, 200, 'manifest').objects?.length ?? 0;
    };

    it.each([TAXII, 'application/taxii+json', 'Application/TAXII+JSON ; Version=2.1', 'application/taxii+json;version=2.1;charset=utf-8'])(
      '§1.6.8 Content-Type: %s is accepted',
      async (contentType) => {
        const coll = await freshCollection(h);
        expect(taxii(await postWith(coll, contentType), 202, 'status').success_count).toBe(1);
        expect(await stored(coll)).toBe(1);
      },
    );

    it.each([
      'application/json',
      'application/stix+json;version=2.1',
      'application/stix+json',
      'application/taxii+json;version=2.0',
      'text/plain',
      'application/x-www-form-urlencoded',
    ])('§1.6.8 Content-Type: %s is 415 and nothing is stored', async (contentType) => {
      const coll = await freshCollection(h);
      const body = taxii(await postWith(coll, contentType), 415, 'error');
      expect(body.description).toContain(TAXII);
      expect(await stored(coll)).toBe(0);
    });

    it('§1.6.8 a POST without Content-Type is 415 and nothing is stored', async () => {
      const coll = await freshCollection(h);
      const res = await request(h.app)
        .post(objectsUrl(coll))
        .set('Authorization', h.accounts.writer.auth)
        .set('Accept', TAXII)
        // A Buffer body is sent without any Content-Type header.
        .send(Buffer.from(JSON.stringify({ objects: [indicator(3)] })));
      taxii(res, 415, 'error');
      expect(await stored(coll)).toBe(0);
    });

    it('§1.6.8 a POST whose Accept excludes TAXII is 406 and nothing is stored', async () => {
      const coll = await freshCollection(h);
      taxii(await postWith(coll, TAXII, 'application/json'), 406, 'error');
      expect(await stored(coll)).toBe(0);
    });
  });
});
