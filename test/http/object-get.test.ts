import type { CollectionRecord } from '../../src/catalog/types';
import { createHarness, indicator, type Harness } from '../support/harness';
import { collectionWithHistory, freshCollection, get, indicator20, ipv4, objectUrl, qs, slashForms, taxii } from './wire';

/** POSTs one second apart: `added(k)` is the k-th POST's date_added. */
const T0 = Date.UTC(2026, 6, 3, 9, 0, 0) * 1000 + 999_999;
const added = (k: number) => `2026-07-03T09:00:0${k}.999999Z`;

// Versions arrive out of order: v2 is added before v1.
const V2 = indicator(1, '2026-02-01T00:00:00.000Z');
const V1 = indicator(1, '2026-01-01T00:00:00.000Z');
const OTHER = indicator(2);
const V3 = indicator(1, '2026-03-01T00:00:00.000Z');
const ID = V1.id as string;
const X20 = indicator20(ID, '2016-01-01T00:00:00.000Z');
const IP = ipv4(5);

describe('TAXII 2.1 §5.6 Get An Object', () => {
  let h: Harness;
  let c: CollectionRecord;
  beforeAll(async () => {
    h = await createHarness();
    c = await collectionWithHistory(h, T0, [V2, V1, OTHER, V3, X20, IP]);
  });
  afterAll(() => h.close());

  const object = async (id: string, params: Record<string, string | number> = {}, auth = h.accounts.reader.auth) => {
    const res = await get(h, objectUrl(c, id) + qs(params), auth);
    return { res, body: taxii(res, 200, 'envelope') };
  };

  it('§5.6 returns the latest version by default, exactly as sent, with and without the trailing slash', async () => {
    for (const url of slashForms(objectUrl(c, ID))) {
      expect(taxii(await get(h, url, h.accounts.reader.auth), 200, 'envelope')).toEqual({ more: false, objects: [V3] });
    }
  });

  it('§5.6 sets X-TAXII-Date-Added-First/-Last', async () => {
    const { res } = await object(ID, { 'match[version]': 'all' });
    expect(res.headers['x-taxii-date-added-first']).toBe(added(0));
    expect(res.headers['x-taxii-date-added-last']).toBe(added(3));
  });

  it('§5.6 match[version]=all returns every version in date_added order', async () => {
    expect((await object(ID, { 'match[version]': 'all' })).body.objects).toEqual([V2, V1, V3]);
  });

  it('§5.6 match[version]=first returns the earliest version (by modified, not by arrival)', async () => {
    expect((await object(ID, { 'match[version]': 'first' })).body.objects).toEqual([V1]);
  });

  it('§5.6 match[version]=<timestamp> returns that version', async () => {
    expect((await object(ID, { 'match[version]': '2026-02-01T00:00:00.000Z' })).body.objects).toEqual([V2]);
  });

  it('§5.6 match[spec_version]=2.0 returns the STIX 2.0 version of the object', async () => {
    expect((await object(ID, { 'match[spec_version]': '2.0' })).body.objects).toEqual([X20]);
  });

  it('§5.6 added_after', async () => {
    expect((await object(ID, { 'match[version]': 'all', added_after: added(0) })).body.objects).toEqual([V1, V3]);
  });

  it('§5.6 limit and next page through the versions', async () => {
    const first = await object(ID, { 'match[version]': 'all', limit: 2 });
    expect(first.body).toMatchObject({ more: true, objects: [V2, V1] });
    const second = await object(ID, { 'match[version]': 'all', limit: 2, next: first.body.next as string });
    expect(second.body).toEqual({ more: false, objects: [V3] });
  });

  it('§5.6 an SCO is returned by its id', async () => {
    expect((await object(IP.id)).body.objects).toEqual([IP]);
  });

  it('§5.6 an object that exists but has no version matching the filter is an empty envelope', async () => {
    const { res, body } = await object(ID, { 'match[version]': '2020-01-01T00:00:00Z' });
    expect(body).toEqual({ more: false });
    expect(res.headers['x-taxii-date-added-first']).toBeUndefined();
  });

  it('§5.6 an unknown object is 404', async () => {
    const body = taxii(await get(h, objectUrl(c, 'indicator--99999999-0000-4000-8000-000000000000')), 404, 'error');
    expect(body.title).toBe('Object not found');
  });

  it('§5.6 an object of another collection is 404 here', async () => {
    const other = await freshCollection(h);
    taxii(await get(h, objectUrl(other, ID)), 404, 'error');
  });

  it('§5.6 an id that is not a STIX identifier is 404', async () => {
    for (const id of ['nope', 'indicator--1', 'indicator', '..']) taxii(await get(h, objectUrl(c, id)), 404, 'error');
  });

  it.each(['match[id]', 'match[type]'])('§5.6 %s is not a parameter of this endpoint: 400', async (name) => {
    const value = name === 'match[id]' ? ID : 'indicator';
    const body = taxii(await get(h, objectUrl(c, ID) + qs({ [name]: value })), 400, 'error');
    expect(body.description).toContain(`"${name}"`);
  });

  it('§5.6 a reader may read; an auditor gets 404', async () => {
    await object(ID);
    taxii(await get(h, objectUrl(c, ID), h.accounts.auditor.auth), 404, 'error');
  });
});
