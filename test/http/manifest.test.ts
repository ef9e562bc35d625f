import type { CollectionRecord } from '../../src/catalog/types';
import { createHarness, indicator, type Harness } from '../support/harness';
import {
  collectionWithHistory,
  freshCollection,
  get,
  indicator20,
  ipv4,
  malware,
  manifestUrl,
  qs,
  slashForms,
  taxii,
  TIMESTAMP,
  type ManifestRecordBody,
} from './wire';

/** POSTs one second apart, so `added(k)` is the k-th POST's date_added. */
const T0 = Date.UTC(2026, 4, 2, 8, 30, 0) * 1000 + 7;
const added = (k: number) => `2026-05-02T08:30:0${k}.000007Z`;

const A1 = indicator(1, '2026-01-01T00:00:00.000Z');
const M = malware(2, '2025-06-01T00:00:00.500Z');
const A2 = indicator(1, '2026-02-01T00:00:00.123456Z');
const IP = ipv4(3);
const X20 = indicator20(indicator(9).id as string, '2016-05-01T00:00:00Z');

const STIX21 = 'application/stix+json;version=2.1';
const record = (id: string, k: number, version: string, mediaType = STIX21): ManifestRecordBody => ({
  id,
  date_added: added(k),
  version,
  media_type: mediaType,
});
// Each version exactly as the object states it (its modified): issue 13 item 2.
const rA1 = record(A1.id as string, 0, '2026-01-01T00:00:00.000Z');
const rM = record(M.id, 1, '2025-06-01T00:00:00.500Z');
const rA2 = record(A2.id as string, 2, '2026-02-01T00:00:00.123456Z');
const rIP = record(IP.id, 3, added(3));
const rX20 = record(X20.id, 4, '2016-05-01T00:00:00Z', 'application/stix+json;version=2.0');

describe('TAXII 2.1 §5.3 Get Object Manifests', () => {
  let h: Harness;
  let c: CollectionRecord;
  beforeAll(async () => {
    h = await createHarness();
    c = await collectionWithHistory(h, T0, [A1, M, A2, IP, X20]);
  });
  afterAll(() => h.close());

  const manifest = async (params: Record<string, string | number> = {}) => {
    const res = await get(h, manifestUrl(c) + qs(params), h.accounts.reader.auth);
    return { res, body: taxii(res, 200, 'manifest') };
  };

  it('§5.3.1 lists id, date_added, version and media_type of the latest versions, oldest first, with and without the trailing slash', async () => {
    for (const url of slashForms(manifestUrl(c))) {
      const body = taxii(await get(h, url, h.accounts.reader.auth), 200, 'manifest');
      expect(body).toEqual({ more: false, objects: [rM, rA2, rIP, rX20] });
    }
  });

  // Regression (issue 13 item 2): versions carried 6 fraction digits while the objects'
  // modified had 3, so a client comparing strings found no match.
  it('§5.3.1 date_added is a canonical UTC microsecond timestamp; version is the object’s own modified text, as in the object', async () => {
    const { body } = await manifest({ 'match[version]': 'all' });
    for (const r of body.objects ?? []) expect(r.date_added).toMatch(TIMESTAMP);
    const objects = (await get(h, `${manifestUrl(c).replace('manifest/', 'objects/')}?match[version]=all`, h.accounts.reader.auth)).body as {
      objects: { id: string; modified?: string }[];
    };
    expect(body.objects?.map((r) => [r.id, r.version])).toEqual(
      objects.objects.map((o) => [o.id, o.modified ?? body.objects?.find((r) => r.id === o.id)?.date_added]),
    );
    expect(body.objects?.map((r) => r.version)).toEqual([
      '2026-01-01T00:00:00.000Z',
      '2025-06-01T00:00:00.500Z',
      '2026-02-01T00:00:00.123456Z',
      added(3),
      '2016-05-01T00:00:00Z',
    ]);
  });

  it('§5.3.1 an SCO without timestamps has its date_added as version and STIX 2.1 as media type', async () => {
    expect((await manifest({ 'match[type]': 'ipv4-addr' })).body.objects).toEqual([rIP]);
  });

  it('§5.3.1 an object without spec_version (not an SCO) is STIX 2.0', async () => {
    expect((await manifest({ 'match[spec_version]': '2.0' })).body.objects).toEqual([rX20]);
  });

  it('§5.3 sets X-TAXII-Date-Added-First/-Last', async () => {
    const { res } = await manifest();
    expect(res.headers['x-taxii-date-added-first']).toBe(added(1));
    expect(res.headers['x-taxii-date-added-last']).toBe(added(4));
  });

  it('§5.3 match[type]=indicator,malware', async () => {
    expect((await manifest({ 'match[type]': 'indicator,malware' })).body.objects).toEqual([rM, rA2, rX20]);
  });

  it('§5.3 match[id] with match[version]=all lists every version of that object', async () => {
    expect((await manifest({ 'match[id]': A1.id as string, 'match[version]': 'all' })).body.objects).toEqual([rA1, rA2]);
  });

  it('§5.3 match[version]=first', async () => {
    expect((await manifest({ 'match[id]': A1.id as string, 'match[version]': 'first' })).body.objects).toEqual([rA1]);
  });

  it('§5.3 match[version]=<timestamp> in another precision selects that version', async () => {
    expect((await manifest({ 'match[version]': '2025-06-01T02:00:00.50+02:00' })).body.objects).toEqual([rM]);
  });

  it('§5.3 match[spec_version]=2.1 leaves out the STIX 2.0 object', async () => {
    expect((await manifest({ 'match[spec_version]': '2.1' })).body.objects).toEqual([rM, rA2, rIP]);
  });

  it('§5.3 added_after', async () => {
    expect((await manifest({ added_after: added(2) })).body.objects).toEqual([rIP, rX20]);
  });

  it('§5.3 limit and next page through the manifest', async () => {
    const first = await manifest({ limit: 3, 'match[version]': 'all' });
    expect(first.body.objects).toEqual([rA1, rM, rA2]);
    expect(first.body.more).toBe(true);
    expect(first.res.headers['x-taxii-date-added-last']).toBe(added(2));
    const second = await manifest({ limit: 3, 'match[version]': 'all', next: first.body.next as string });
    expect(second.body).toEqual({ more: false, objects: [rIP, rX20] });
    expect(second.res.headers['x-taxii-date-added-first']).toBe(added(3));
  });

  it('§5.3 an empty manifest is {"more":false} with the TAXII media type', async () => {
    const res = await get(h, manifestUrl(await freshCollection(h)));
    expect(taxii(res, 200, 'manifest')).toEqual({ more: false });
    expect(res.headers['x-taxii-date-added-first']).toBeUndefined();
  });

  it('§5.3 a reader may read the manifest; an auditor gets 404', async () => {
    taxii(await get(h, manifestUrl(c), h.accounts.reader.auth), 200, 'manifest');
    taxii(await get(h, manifestUrl(c), h.accounts.auditor.auth), 404, 'error');
  });

  it('§5.3 malformed filters are 400', async () => {
    for (const q of ['limit=0', 'added_after=now', 'match[version]=newest', 'next=abc', 'match[type]=INDICATOR']) {
      taxii(await get(h, `${manifestUrl(c)}?${q}`), 400, 'error');
    }
  });
});
