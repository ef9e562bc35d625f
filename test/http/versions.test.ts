import type { CollectionRecord } from '../../src/catalog/types';
import { createHarness, indicator, type Harness } from '../support/harness';
import {
  add,
  collectionWithHistory,
  freshCollection,
  get,
  indicator20,
  ipv4,
  manifestUrl,
  qs,
  slashForms,
  taxii,
  TIMESTAMP,
  versionsUrl,
} from './wire';

/** POSTs one second apart: `added(k)` is the k-th POST's date_added. */
const T0 = Date.UTC(2026, 7, 4, 10, 0, 0) * 1000 + 1;
const added = (k: number) => `2026-08-04T10:00:0${k}.000001Z`;

// Arrival order differs from version order, so date_added order is observable.
const HISTORY = [
  indicator(1, '2026-03-01T00:00:00.123Z'),
  indicator(1, '2026-01-01T00:00:00.000Z'),
  indicator(2),
  indicator(1, '2026-01-31T23:00:00.500Z'),
  indicator20(indicator(1).id as string, '2016-01-01T00:00:00Z'),
];
const ID = indicator(1).id as string;

describe('TAXII 2.1 §5.8 Get Object Versions', () => {
  let h: Harness;
  let c: CollectionRecord;
  beforeAll(async () => {
    h = await createHarness();
    c = await collectionWithHistory(h, T0, HISTORY);
  });
  afterAll(() => h.close());

  const versions = async (params: Record<string, string | number> = {}, id = ID) => {
    const res = await get(h, versionsUrl(c, id) + qs(params), h.accounts.reader.auth);
    return { res, body: taxii(res, 200, 'versions') };
  };

  // Regression (issue 13 item 2): each version as the object states it (its modified text), not re-formatted.
  it('§5.8.1 lists every version of the newest spec version, sorted by date_added, as the objects state them, with and without the trailing slash', async () => {
    for (const url of slashForms(versionsUrl(c, ID))) {
      expect(taxii(await get(h, url, h.accounts.reader.auth), 200, 'versions')).toEqual({
        more: false,
        versions: ['2026-03-01T00:00:00.123Z', '2026-01-01T00:00:00.000Z', '2026-01-31T23:00:00.500Z'],
      });
    }
  });

  it('§5.8 sets X-TAXII-Date-Added-First/-Last to the date_added of the first and last listed version', async () => {
    const { res } = await versions();
    expect(res.headers['x-taxii-date-added-first']).toBe(added(0));
    expect(res.headers['x-taxii-date-added-last']).toBe(added(3));
    expect(res.headers['x-taxii-date-added-first']).toMatch(TIMESTAMP);
  });

  it('§5.8 the versions match the manifest’s records for that object', async () => {
    const manifest = taxii(await get(h, manifestUrl(c) + qs({ 'match[id]': ID, 'match[version]': 'all' })), 200, 'manifest');
    expect((await versions()).body.versions).toEqual(manifest.objects?.map((r) => r.version));
  });

  it('§5.8 match[spec_version]=2.0 lists the STIX 2.0 versions', async () => {
    expect((await versions({ 'match[spec_version]': '2.0' })).body).toEqual({ more: false, versions: ['2016-01-01T00:00:00Z'] });
  });

  it('§5.8 match[spec_version]=2.0,2.1 lists both, in date_added order', async () => {
    expect((await versions({ 'match[spec_version]': '2.0,2.1' })).body.versions).toEqual([
      '2026-03-01T00:00:00.123Z',
      '2026-01-01T00:00:00.000Z',
      '2026-01-31T23:00:00.500Z',
      '2016-01-01T00:00:00Z',
    ]);
  });

  it('§5.8 added_after', async () => {
    expect((await versions({ added_after: added(0) })).body.versions).toEqual(['2026-01-01T00:00:00.000Z', '2026-01-31T23:00:00.500Z']);
  });

  it('§5.8 limit and next page through the versions', async () => {
    const first = await versions({ limit: 2 });
    expect(first.body).toMatchObject({ more: true, versions: ['2026-03-01T00:00:00.123Z', '2026-01-01T00:00:00.000Z'] });
    expect(typeof first.body.next).toBe('string');
    expect(first.res.headers['x-taxii-date-added-last']).toBe(added(1));
    const second = await versions({ limit: 2, next: first.body.next as string });
    expect(second.body).toEqual({ more: false, versions: ['2026-01-31T23:00:00.500Z'] });
    expect(second.res.headers['x-taxii-date-added-first']).toBe(added(3));
  });

  it('§5.8 an SCO without timestamps has one version: its date_added', async () => {
    const sc = await freshCollection(h);
    h.clock.now = Date.UTC(2026, 8, 1) * 1000;
    await add(h, sc, [ipv4(7)]);
    const body = taxii(await get(h, versionsUrl(sc, ipv4(7).id)), 200, 'versions');
    expect(body).toEqual({ more: false, versions: ['2026-09-01T00:00:00.000000Z'] });
  });

  it('§5.8 a spec_version the object does not have is an empty list, not 404', async () => {
    expect((await versions({ 'match[spec_version]': '2.0' }, indicator(2).id as string)).body).toEqual({ more: false });
  });

  it('§5.8 an unknown object is 404', async () => {
    taxii(await get(h, versionsUrl(c, 'indicator--99999999-0000-4000-8000-000000000000')), 404, 'error');
  });

  it.each([
    ['match[version]', 'all'],
    ['match[type]', 'indicator'],
    ['match[id]', ID],
  ])('§5.8 %s is not a parameter of this endpoint: 400', async (name, value) => {
    const body = taxii(await get(h, versionsUrl(c, ID) + qs({ [name]: value })), 400, 'error');
    expect(body.description).toContain(`"${name}"`);
  });

  it('§5.8 an auditor gets 404', async () => {
    taxii(await get(h, versionsUrl(c, ID), h.accounts.auditor.auth), 404, 'error');
  });
});
