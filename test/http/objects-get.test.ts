import type { CollectionRecord } from '../../src/catalog/types';
import { createHarness, indicator, type Harness } from '../support/harness';
import {
  collectionWithHistory,
  freshCollection,
  get,
  idsOf,
  indicator20,
  ipv4,
  malware,
  objectsUrl,
  qs,
  slashForms,
  taxii,
  TIMESTAMP,
  type StixObject,
} from './wire';

/**
 * One collection with a known history. Each POST happens one second after the previous one,
 * so date_added values are known exactly (`added(k)`):
 *
 *   k  object                       spec  version
 *   0  A v1  indicator              2.1   2026-01-01
 *   1  M     malware                2.1   2025-06-01
 *   2  A v2                         2.1   2026-02-01
 *   3  IP    ipv4-addr (SCO)        2.1   (none: its date_added)
 *   4  X     indicator, STIX 2.0    2.0   2016-05-01
 *   5  X     same id, STIX 2.1      2.1   2017-01-01
 *   6  A v3                         2.1   2026-03-01
 *   7  X     STIX 2.0, newer        2.0   2016-06-01
 */
const T0 = Date.UTC(2026, 3, 1, 12, 0, 0) * 1000 + 250;
const added = (k: number) => `2026-04-01T12:00:0${k}.000250Z`;

const A1 = indicator(1, '2026-01-01T00:00:00.000Z') as StixObject;
const M = malware(2, '2025-06-01T00:00:00.000Z');
const A2 = indicator(1, '2026-02-01T00:00:00.000Z') as StixObject;
const IP = ipv4(3);
const X20a = indicator20(indicator(9).id as string, '2016-05-01T00:00:00.000Z');
const X21 = indicator(9, '2017-01-01T00:00:00.000Z', { created: '2017-01-01T00:00:00.000Z' }) as StixObject;
const A3 = indicator(1, '2026-03-01T00:00:00.000Z') as StixObject;
const X20b = indicator20(indicator(9).id as string, '2016-06-01T00:00:00.000Z');
const HISTORY = [A1, M, A2, IP, X20a, X21, A3, X20b];

describe('TAXII 2.1 §5.4 Get Objects', () => {
  let h: Harness;
  let c: CollectionRecord;
  beforeAll(async () => {
    h = await createHarness();
    c = await collectionWithHistory(h, T0, HISTORY);
  });
  afterAll(() => h.close());

  const objects = async (params: Record<string, string | number> = {}) => {
    const res = await get(h, objectsUrl(c) + qs(params), h.accounts.reader.auth);
    return { res, body: taxii(res, 200, 'envelope') };
  };

  it('§5.4 by default returns the latest version of each object’s newest spec version, sorted by date_added, exactly as sent', async () => {
    for (const url of slashForms(objectsUrl(c))) {
      const body = taxii(await get(h, url, h.accounts.reader.auth), 200, 'envelope');
      expect(body).toEqual({ more: false, objects: [M, IP, X21, A3] });
    }
  });

  it('§5.4 sets X-TAXII-Date-Added-First/-Last to the first and last record’s date_added', async () => {
    const { res } = await objects();
    expect(res.headers['x-taxii-date-added-first']).toBe(added(1));
    expect(res.headers['x-taxii-date-added-last']).toBe(added(6));
  });

  it('§5.4 an empty result is {"more":false} with the TAXII media type and no date headers', async () => {
    const { res, body } = await objects({ 'match[type]': 'tool' });
    expect(body).toEqual({ more: false });
    expect(res.headers['x-taxii-date-added-first']).toBeUndefined();
    expect(res.headers['x-taxii-date-added-last']).toBeUndefined();
  });

  it('§5.4 match[type]=indicator,malware returns only those types', async () => {
    expect((await objects({ 'match[type]': 'indicator,malware' })).body.objects).toEqual([M, X21, A3]);
  });

  // Regression (issue 13 item 5): a repeated filter used to be read as a comma list (200).
  it('§3.4.1 / §5.4 match[type] given twice is a 400 (several values go in one comma list), match[version]=all,last too', async () => {
    const twice = await get(h, `${objectsUrl(c)}?match[type]=malware&match[type]=ipv4-addr`, h.accounts.reader.auth);
    expect(taxii(twice, 400, 'error').title).toBe('Repeated parameter');
    const all = await get(h, `${objectsUrl(c)}?match[version]=all,last`, h.accounts.reader.auth);
    expect(taxii(all, 400, 'error').title).toBe('Malformed parameter');
  });

  it('§5.4 match[type]=ipv4-addr returns the SCO', async () => {
    expect((await objects({ 'match[type]': 'ipv4-addr' })).body.objects).toEqual([IP]);
  });

  it('§5.4 match[id] takes a comma list', async () => {
    expect(idsOf((await objects({ 'match[id]': `${A1.id},${M.id}` })).body)).toEqual([M.id, A1.id]);
    expect((await objects({ 'match[id]': `${A1.id},${M.id}` })).body.objects?.[1]).toEqual(A3);
  });

  it('§5.4 different match fields are ANDed: match[id]=<indicator>&match[type]=malware is empty', async () => {
    expect((await objects({ 'match[id]': A1.id, 'match[type]': 'malware' })).body).toEqual({ more: false });
  });

  it('§5.4 match[version]=all returns every version of the newest spec version, in date_added order', async () => {
    expect((await objects({ 'match[version]': 'all' })).body.objects).toEqual([A1, M, A2, IP, X21, A3]);
  });

  it('§5.4 match[version]=first returns each object’s earliest version', async () => {
    expect((await objects({ 'match[version]': 'first' })).body.objects).toEqual([A1, M, IP, X21]);
  });

  it('§5.4 match[version]=last is the default', async () => {
    expect((await objects({ 'match[version]': 'last' })).body.objects).toEqual([M, IP, X21, A3]);
  });

  it('§5.4 match[version]=first,last returns both ends', async () => {
    expect((await objects({ 'match[version]': 'first,last' })).body.objects).toEqual([A1, M, IP, X21, A3]);
  });

  it.each([
    '2026-02-01T00:00:00.000Z',
    '2026-02-01T00:00:00Z',
    '2026-02-01T00:00:00.000000000Z',
    '2026-02-01T01:00:00+01:00',
    '2026-01-31T19:00:00.000000-05:00',
    '2026-02-01t00:00:00z',
  ])('§5.4 match[version]=%s selects the version with that instant, whatever its precision or offset', async (v) => {
    expect((await objects({ 'match[version]': v })).body.objects).toEqual([A2]);
  });

  it('§5.4 match[version] takes a comma list of timestamps', async () => {
    expect((await objects({ 'match[version]': '2026-01-01T00:00:00Z,2026-03-01T00:00:00.000Z' })).body.objects).toEqual([A1, A3]);
  });

  it('§5.4 match[version]=<date_added> selects an SCO without timestamps (its version is its date_added)', async () => {
    expect((await objects({ 'match[version]': added(3) })).body.objects).toEqual([IP]);
  });

  it('§5.4 match[version] with a timestamp no object has is empty', async () => {
    expect((await objects({ 'match[version]': '2099-01-01T00:00:00Z' })).body).toEqual({ more: false });
  });

  it('§5.4 match[spec_version]=2.0 returns the latest STIX 2.0 version of the object that has both', async () => {
    expect((await objects({ 'match[spec_version]': '2.0' })).body.objects).toEqual([X20b]);
  });

  it('§5.4 match[spec_version]=2.0 with match[version]=all returns every 2.0 version', async () => {
    expect((await objects({ 'match[spec_version]': '2.0', 'match[version]': 'all' })).body.objects).toEqual([X20a, X20b]);
  });

  it('§5.4 match[spec_version]=2.1 includes the SCO that has no spec_version', async () => {
    expect((await objects({ 'match[spec_version]': '2.1' })).body.objects).toEqual([M, IP, X21, A3]);
  });

  it('§5.4 match[spec_version]=2.0,2.1 returns the latest version within each spec version', async () => {
    expect((await objects({ 'match[spec_version]': '2.0,2.1' })).body.objects).toEqual([M, IP, X21, A3, X20b]);
  });

  it('§5.4 added_after returns only records added strictly later', async () => {
    expect((await objects({ added_after: added(3) })).body.objects).toEqual([X21, A3]);
    expect((await objects({ added_after: added(3), 'match[version]': 'all' })).body.objects).toEqual([X21, A3]);
    expect((await objects({ added_after: added(2), 'match[version]': 'all' })).body.objects).toEqual([IP, X21, A3]);
  });

  it('§5.4 added_after with an offset and less precision denotes the same instant', async () => {
    // 12:00:02.000250Z is 14:00:02.00025+02:00
    expect((await objects({ added_after: '2026-04-01T14:00:02.00025+02:00', 'match[version]': 'all' })).body.objects).toEqual([IP, X21, A3]);
  });

  it('§5.4 added_after later than everything is an empty page', async () => {
    expect((await objects({ added_after: added(7) })).body).toEqual({ more: false });
  });

  it('§5.4 limit and next page through the results; more and next appear together', async () => {
    const first = await objects({ limit: 2 });
    expect(first.body.objects).toEqual([M, IP]);
    expect(first.body.more).toBe(true);
    expect(typeof first.body.next).toBe('string');
    expect(first.res.headers['x-taxii-date-added-first']).toBe(added(1));
    expect(first.res.headers['x-taxii-date-added-last']).toBe(added(3));
    const second = await objects({ limit: 2, next: first.body.next as string });
    expect(second.body).toEqual({ more: false, objects: [X21, A3] });
    expect(second.res.headers['x-taxii-date-added-first']).toBe(added(5));
    expect(second.res.headers['x-taxii-date-added-last']).toBe(added(6));
  });

  it('§5.4 a limit equal to the number of records says more:false', async () => {
    expect((await objects({ limit: 4 })).body).toEqual({ more: false, objects: [M, IP, X21, A3] });
  });

  it('§5.4 date headers are canonical UTC microsecond timestamps', async () => {
    const { res } = await objects({ 'match[version]': 'all' });
    expect(res.headers['x-taxii-date-added-first']).toMatch(TIMESTAMP);
    expect(res.headers['x-taxii-date-added-last']).toMatch(TIMESTAMP);
  });

  it('§5.4 a reader may read; an auditor sees no collection (404); an unknown collection is 404', async () => {
    taxii(await get(h, objectsUrl(c), h.accounts.reader.auth), 200, 'envelope');
    taxii(await get(h, objectsUrl(c), h.accounts.auditor.auth), 404, 'error');
    taxii(await get(h, '/api1/collections/6f1e2b4c-8a57-4c3e-b0d4-1d2e3f405162/objects/', h.accounts.editor.auth), 404, 'error');
  });

  it('§5.4 the objects of one collection are not in another', async () => {
    const other = await freshCollection(h);
    expect(taxii(await get(h, objectsUrl(other)), 200, 'envelope')).toEqual({ more: false });
  });

  it.each<[string, string]>([
    ['limit=0', 'limit'],
    ['limit=-1', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=1.5', 'limit'],
    ['limit=', 'limit'],
    ['limit=1&limit=2', 'limit'],
    ['added_after=yesterday', 'added_after'],
    ['added_after=2026-02-30T00:00:00Z', 'added_after'],
    ['added_after=2026-01-01', 'added_after'],
    ['added_after=2026-01-01T00:00:00', 'added_after'],
    ['added_after=2026-01-01T00:00:00Z&added_after=2026-01-02T00:00:00Z', 'added_after'],
    ['match[version]=latest', 'match[version]'],
    ['match[version]=', 'match[version]'],
    ['match[version]=first,,last', 'match[version]'],
    ['match[version]=2026-01-01T00:00:00+01:00', 'match[version]'], // an unencoded "+" arrives as a space
    ['match[type]=Indicator', 'match[type]'],
    ['match[type]=indicator;x', 'match[type]'],
    ['match[id]=indicator--123', 'match[id]'],
    ['match[id]=not-an-id', 'match[id]'],
    ['match[spec_version]=two', 'match[spec_version]'],
    ['match[spec_version]=2', 'match[spec_version]'],
    ['next=garbage', 'next'],
    ['next=', 'next'],
    ['match[foo]=1', 'match[foo]'],
    ['type=indicator', 'type'],
    ['match[ID]=x', 'match[ID]'],
  ])('§3.4 a malformed or unknown parameter (%s) is a 400 error naming it', async (query, name) => {
    const body = taxii(await get(h, `${objectsUrl(c)}?${query}`, h.accounts.reader.auth), 400, 'error');
    expect(body.description).toContain(`"${name}"`);
  });
});

// Objects as sent must come back as sent: keep this module's fixtures immutable.
for (const o of HISTORY as StixObject[]) Object.freeze(o);
