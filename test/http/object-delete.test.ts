import type { CollectionRecord } from '../../src/catalog/types';
import { createHarness, indicator, TAXII, type Harness } from '../support/harness';
import { add, del, freshCollection, get, indicator20, manifestUrl, objectsUrl, objectUrl, qs, slashForms, taxii, versionsUrl } from './wire';

const V1 = indicator(1, '2026-01-01T00:00:00.000Z');
const V2 = indicator(1, '2026-02-01T00:00:00.000Z');
const V3 = indicator(1, '2026-03-01T00:00:00.000Z');
const ID = V1.id as string;
const KEEP = indicator(2);

describe('TAXII 2.1 §5.7 Delete An Object', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  /** A collection holding three versions of ID and one other object. */
  async function seeded(): Promise<CollectionRecord> {
    const c = await freshCollection(h);
    await add(h, c, [V1, KEEP, V2, V3]);
    return c;
  }

  const versions = async (c: CollectionRecord, id = ID) => taxii(await get(h, versionsUrl(c, id)), 200, 'versions').versions;

  it('§5.7 answers 200 with the TAXII media type, with and without the trailing slash', async () => {
    for (const form of [0, 1]) {
      const res = await del(h, slashForms(objectUrl(await seeded(), ID))[form] as string);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe(TAXII);
      expect(res.text).toBe('');
    }
  });

  it('§5.7 without match[version] removes every version (Accord’s documented choice); other objects stay', async () => {
    const c = await seeded();
    expect((await del(h, objectUrl(c, ID))).status).toBe(200);
    taxii(await get(h, objectUrl(c, ID)), 404, 'error');
    taxii(await get(h, versionsUrl(c, ID)), 404, 'error');
    const all = taxii(await get(h, objectsUrl(c) + qs({ 'match[version]': 'all' })), 200, 'envelope');
    expect(all).toEqual({ more: false, objects: [KEEP] });
  });

  it('§5.7 match[version]=first removes only the first version; the remaining ones are served', async () => {
    const c = await seeded();
    expect((await del(h, objectUrl(c, ID) + qs({ 'match[version]': 'first' }))).status).toBe(200);
    expect(await versions(c)).toEqual(['2026-02-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z']);
    expect(taxii(await get(h, objectUrl(c, ID) + qs({ 'match[version]': 'first' })), 200, 'envelope').objects).toEqual([V2]);
    expect(taxii(await get(h, objectUrl(c, ID)), 200, 'envelope').objects).toEqual([V3]);
  });

  it('§5.7 match[version]=last removes the latest version; the previous one becomes the latest', async () => {
    const c = await seeded();
    expect((await del(h, objectUrl(c, ID) + qs({ 'match[version]': 'last' }))).status).toBe(200);
    expect(taxii(await get(h, objectUrl(c, ID)), 200, 'envelope').objects).toEqual([V2]);
    expect(taxii(await get(h, objectsUrl(c)), 200, 'envelope').objects).toEqual([KEEP, V2]);
    const manifest = taxii(await get(h, manifestUrl(c) + qs({ 'match[id]': ID })), 200, 'manifest');
    expect(manifest.objects?.map((r) => r.version)).toEqual(['2026-02-01T00:00:00.000Z']);
  });

  it('§5.7 match[version]=<timestamp> (any precision or offset) removes that version', async () => {
    const c = await seeded();
    expect((await del(h, objectUrl(c, ID) + qs({ 'match[version]': '2026-02-01T01:00:00.000+01:00' }))).status).toBe(200);
    expect(await versions(c)).toEqual(['2026-01-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z']);
  });

  it('§5.7 match[version]=first,last removes both ends', async () => {
    const c = await seeded();
    expect((await del(h, objectUrl(c, ID) + qs({ 'match[version]': 'first,last' }))).status).toBe(200);
    expect(await versions(c)).toEqual(['2026-02-01T00:00:00.000Z']);
  });

  it('§5.7 match[spec_version]=2.0 removes only the STIX 2.0 versions', async () => {
    const c = await seeded();
    await add(h, c, [indicator20(ID, '2016-01-01T00:00:00.000Z')]);
    expect((await del(h, objectUrl(c, ID) + qs({ 'match[spec_version]': '2.0' }))).status).toBe(200);
    expect(taxii(await get(h, objectUrl(c, ID) + qs({ 'match[spec_version]': '2.0' })), 200, 'envelope')).toEqual({ more: false });
    expect(await versions(c)).toHaveLength(3);
  });

  it('§5.7 a deleted object can be added again', async () => {
    const c = await seeded();
    await del(h, objectUrl(c, ID));
    expect((await add(h, c, [V1])).successes?.[0]).toEqual({ id: ID, version: '2026-01-01T00:00:00.000000Z' });
    expect(await versions(c)).toEqual(['2026-01-01T00:00:00.000Z']);
  });

  it('§5.7 an unknown object is 404; deleting twice is 404 the second time', async () => {
    const c = await seeded();
    taxii(await del(h, objectUrl(c, 'indicator--99999999-0000-4000-8000-000000000000')), 404, 'error');
    expect((await del(h, objectUrl(c, ID))).status).toBe(200);
    taxii(await del(h, objectUrl(c, ID)), 404, 'error');
  });

  it('§5.7 a version filter that matches nothing is 404 and removes nothing', async () => {
    const c = await seeded();
    taxii(await del(h, objectUrl(c, ID) + qs({ 'match[version]': '2020-01-01T00:00:00Z' })), 404, 'error');
    expect(await versions(c)).toHaveLength(3);
  });

  it.each([
    ['writer', 403],
    ['reader', 403],
    ['auditor', 404],
  ] as const)('§5.7 deleting is for admins only: a %s gets %s and nothing is removed', async (role, status) => {
    const c = await seeded();
    taxii(await del(h, objectUrl(c, ID), h.accounts[role].auth), status, 'error');
    expect(await versions(c)).toHaveLength(3);
  });

  it.each([
    ['added_after', '2020-01-01T00:00:00Z'],
    ['limit', '1'],
    ['next', 'abc'],
    ['match[id]', ID],
    ['match[type]', 'indicator'],
  ])('§5.7 %s is not a parameter of Delete: 400 and nothing is removed', async (name, value) => {
    const c = await seeded();
    const body = taxii(await del(h, objectUrl(c, ID) + qs({ [name]: value })), 400, 'error');
    expect(body.description).toContain(`"${name}"`);
    expect(await versions(c)).toHaveLength(3);
  });

  it('§5.7 a malformed match[version] is 400 and removes nothing', async () => {
    const c = await seeded();
    taxii(await del(h, objectUrl(c, ID) + qs({ 'match[version]': 'newest' })), 400, 'error');
    expect(await versions(c)).toHaveLength(3);
  });
});
