/**
 * End to end through the HTTP API with real content: the OASIS STIX 2.1 example bundles
 * (test/fixtures/stix/, BSD-3-Clause, LICENSE beside them) are POSTed as TAXII envelopes and
 * read back through every filter. What comes back must be exactly what was sent: each
 * returned object, parsed, deep-equals the object as it was in the file.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CollectionRecord } from '../../src/catalog/types';
import { createHarness, type Harness } from '../support/harness';
import {
  add,
  freshCollection,
  get,
  manifestUrl,
  objectsUrl,
  objectUrl,
  qs,
  taxii,
  TIMESTAMP,
  versionsUrl,
  type EnvelopeBody,
  type ManifestRecordBody,
  type StixObject,
} from '../http/wire';

const FIXTURES = join(__dirname, '..', 'fixtures', 'stix');

// Named, not listed from the folder: other fixtures (invalid cases) live there too.
const FILES = [
  'apt1.json',
  'poisonivy.json',
  'infrastructure.json',
  'indicators-for-C2-with-COA.json',
  'malicious-email-indicator-with-attachment.json',
  'indicator-to-campaign-relationship.json',
  'indicator-for-c2-ip-address.json',
  'interop-objectmarking-test.json',
];

/** The objects of a fixture: a bundle's list, or the single object the file holds. */
function objectsOf(file: string): StixObject[] {
  const parsed = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as StixObject & { objects?: StixObject[] };
  return parsed.type === 'bundle' ? (parsed.objects ?? []) : [parsed];
}

/** A STIX object's own version (modified, else created), or undefined when it has none (most SCOs). */
const stixVersion = (o: StixObject) => (o.modified ?? o.created) as string | undefined;
/** Accord's canonical form of a millisecond timestamp (all the fixtures have): six fraction digits. */
const canonical = (t: string) => new Date(Date.parse(t)).toISOString().replace('Z', '000Z');

// One server for every file (each gets its own collection): building a harness hashes a
// password with scrypt, slow by design.
let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

describe.each(FILES)('OASIS example %s over TAXII 2.1', (file) => {
  const sent = objectsOf(file);
  let c: CollectionRecord;
  /** date_added of each object, from the manifest. */
  const dateAdded = new Map<string, string>();
  /** The version TAXII reports: modified, else created (canonical), else the date_added. */
  const versionOf = (o: StixObject) => {
    const v = stixVersion(o);
    return v !== undefined ? canonical(v) : (dateAdded.get(o.id) as string);
  };
  /** How manifests and version lists give it: as the object states it (issue 13 item 2), else the date_added. */
  const statedVersion = (o: StixObject) => stixVersion(o) ?? (dateAdded.get(o.id) as string);

  beforeAll(async () => {
    c = await freshCollection(h);
    const status = await add(h, c, sent);
    expect(status).toMatchObject({ status: 'complete', total_count: sent.length, success_count: sent.length, failure_count: 0 });
    const manifest = await walk(manifestUrl(c), {}, 'manifest');
    for (const r of manifest as ManifestRecordBody[]) dateAdded.set(r.id, r.date_added);
  });

  /** Follows `next` to the end with pages of 7; checks more/next on every page. */
  async function walk(url: string, filters: Record<string, string>, kind: 'envelope' | 'manifest' = 'envelope'): Promise<unknown[]> {
    const out: unknown[] = [];
    let next: string | undefined;
    for (let guard = 0; guard < 1000; guard++) {
      const body = taxii(
        await get(h, url + qs({ ...filters, limit: 7, ...(next !== undefined && { next }) }), h.accounts.reader.auth),
        200,
        kind,
      ) as EnvelopeBody;
      expect((body.objects ?? []).length).toBeLessThanOrEqual(7);
      expect(body.next !== undefined).toBe(body.more === true);
      out.push(...(body.objects ?? []));
      if (!body.more) return out;
      next = body.next;
    }
    throw new Error('the walk never ended');
  }

  it('§5.5 every object is a success, with its id and version', async () => {
    const status = await add(h, await freshCollection(h), sent);
    expect(status.successes?.map((s) => s.id)).toEqual(sent.map((o) => o.id));
    sent.forEach((o, i) => {
      const v = stixVersion(o);
      expect(status.successes?.[i]?.version).toMatch(TIMESTAMP);
      if (v !== undefined) expect(status.successes?.[i]?.version).toBe(canonical(v));
    });
  });

  it('§5.4 paging with limit 7 and next returns every object exactly as sent, in the order sent', async () => {
    expect(await walk(objectsUrl(c), {})).toStrictEqual(sent);
  });

  it('§5.4 match[type] returns exactly the objects of each type', async () => {
    for (const type of new Set(sent.map((o) => o.type))) {
      expect(await walk(objectsUrl(c), { 'match[type]': type })).toStrictEqual(sent.filter((o) => o.type === type));
    }
  });

  it('§5.4 match[type] with two types is their union, in the order sent', async () => {
    const types = [...new Set(sent.map((o) => o.type))].slice(0, 2);
    expect(await walk(objectsUrl(c), { 'match[type]': types.join(',') })).toStrictEqual(sent.filter((o) => types.includes(o.type)));
  });

  it('§5.4 match[id] returns exactly that object, for every object', async () => {
    for (const o of sent) {
      const body = taxii(await get(h, objectsUrl(c) + qs({ 'match[id]': o.id }), h.accounts.reader.auth), 200, 'envelope');
      expect(body).toStrictEqual({ more: false, objects: [o] });
    }
  });

  it('§5.4 match[id] with a comma list of ids returns those objects', async () => {
    const some = sent.filter((_, i) => i % 3 === 0).slice(0, 20);
    expect(await walk(objectsUrl(c), { 'match[id]': some.map((o) => o.id).join(',') })).toStrictEqual(some);
  });

  it.each(['first', 'last', 'all', 'first,last'])('§5.4 match[version]=%s returns every object (each has one version)', async (v) => {
    expect(await walk(objectsUrl(c), { 'match[version]': v })).toStrictEqual(sent);
  });

  it('§5.4 match[version]=<timestamp> returns the objects with that version (SCOs: their date_added)', async () => {
    for (const v of new Set(sent.map(versionOf))) {
      expect(await walk(objectsUrl(c), { 'match[version]': v })).toStrictEqual(sent.filter((o) => versionOf(o) === v));
    }
  });

  it('§5.4 match[spec_version]=2.1 returns everything; 2.0 nothing', async () => {
    expect(await walk(objectsUrl(c), { 'match[spec_version]': '2.1' })).toStrictEqual(sent);
    expect(await walk(objectsUrl(c), { 'match[spec_version]': '2.0' })).toStrictEqual([]);
  });

  it('§3.5 paging with added_after = X-TAXII-Date-Added-Last returns every object once, in order', async () => {
    const out: unknown[] = [];
    let after: string | undefined;
    for (let guard = 0; guard <= sent.length; guard++) {
      const res = await get(h, objectsUrl(c) + qs({ limit: 7, ...(after !== undefined && { added_after: after }) }), h.accounts.reader.auth);
      const body = taxii(res, 200, 'envelope');
      if (!body.objects) break;
      out.push(...body.objects);
      after = res.headers['x-taxii-date-added-last'] as string;
      expect(after).toMatch(TIMESTAMP);
      expect(after).toBe(dateAdded.get((body.objects[body.objects.length - 1] as StixObject).id));
    }
    expect(out).toStrictEqual(sent);
  });

  it('§5.3 the manifest lists every object with its version and STIX 2.1 media type', async () => {
    const manifest = (await walk(manifestUrl(c), {}, 'manifest')) as ManifestRecordBody[];
    expect(manifest.map((r) => r.id)).toEqual(sent.map((o) => o.id));
    manifest.forEach((r, i) => {
      const o = sent[i] as StixObject;
      expect(r.media_type).toBe('application/stix+json;version=2.1');
      expect(r.version).toBe(statedVersion(o));
    });
  });

  it('§5.6 each object is returned by its id, exactly as sent', async () => {
    for (const o of sent) {
      expect(taxii(await get(h, objectUrl(c, o.id), h.accounts.reader.auth), 200, 'envelope')).toStrictEqual({ more: false, objects: [o] });
    }
  });

  it('§5.8 each object has exactly one version', async () => {
    for (const o of sent) {
      const body = taxii(await get(h, versionsUrl(c, o.id), h.accounts.reader.auth), 200, 'versions');
      expect(body).toEqual({ more: false, versions: [statedVersion(o)] });
    }
  });

  it('§5.5 posting the bundle again stores nothing new', async () => {
    const again = await add(h, c, sent);
    expect(again).toMatchObject({ success_count: sent.length, failure_count: 0 });
    expect(await walk(objectsUrl(c), { 'match[version]': 'all' })).toStrictEqual(sent);
  });
});
