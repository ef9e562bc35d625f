/**
 * Agreements enforced over HTTP: every read endpoint (objects, manifest, object, versions)
 * answers as if withheld objects were not in the collection at all (no records, no paging
 * hints, no date headers, no 404-vs-empty difference), writes store only what the writer's
 * grant covers, deletes touch only what the caller could see, and the collections
 * endpoints show exactly the collections the caller may read or write.
 *
 * The harness's own `operator-all` agreement is only used to load data as the operator's
 * admin; every rule checked here is about the parties created below.
 */
import { NOT_OWNER } from '../../src/access/ownership';
import type { CollectionRecord } from '../../src/catalog/types';
import { formatTimestamp } from '../../src/time';
import { createHarness, indicator, type Harness, type TestAccount } from '../support/harness';
import {
  add,
  collectionUrl,
  del,
  get,
  indicator20,
  malware,
  manifestUrl,
  objectsUrl,
  objectUrl,
  post,
  qs,
  taxii,
  versionsUrl,
  type CollectionBody,
  type EnvelopeBody,
  type ManifestBody,
  uuid,
  type VersionsBody,
} from '../http/wire';
import { account, agree, collection, marked, party, TLP, tool } from './support';

const V1 = '2026-01-01T00:00:00.000Z';
const V2 = '2026-02-01T00:00:00.000Z';

/** id@version of every record the store holds for these ids, all versions, without any scope. */
async function stored(h: Harness, c: CollectionRecord, ids?: string[]): Promise<string[]> {
  const page = await h.store.queryManifest({
    collectionId: c.id,
    ...(ids && { ids }),
    versions: { all: true, first: false, last: false, at: [] },
    specVersions: ['2.0', '2.1'],
    limit: 10_000,
  });
  return page.records.map((r) => `${r.id}@${formatTimestamp(r.version)}`).sort();
}

/** date_added of one stored version, read from the store without scope. */
async function dateAdded(h: Harness, c: CollectionRecord, id: string, version = V1): Promise<string> {
  const page = await h.store.queryManifest({ collectionId: c.id, ids: [id], versions: { all: true, first: false, last: false, at: [] }, limit: 100 });
  const r = page.records.find((x) => x.version === Date.parse(version) * 1000);
  if (!r) throw new Error(`${id}@${version} is not stored`);
  return formatTimestamp(r.dateAdded);
}

const at = (id: string, version = V1) => `${id}@${formatTimestamp(Date.parse(version) * 1000)}`;
/** A manifest record as at() writes it (manifests give versions as the objects state them). */
const manifestAt = (o: { id: string; version: string }) => at(o.id, o.version);
const idOf = (o: Record<string, unknown>) => o.id as string;
const versionsOf = (body: EnvelopeBody) => (body.objects ?? []).map((o) => `${o.id}@${formatTimestamp(Date.parse(o.modified as string) * 1000)}`);

/** A 404 error's description with the object id taken out, to compare two 404s. */
const without = (text: string | undefined, id: string) => (text ?? '').split(id).join('<id>');

describe('reads honour the reader’s agreement scope', () => {
  let h: Harness;
  let fr: CollectionRecord;
  let reader: TestAccount;
  // Under the reader's grant (no malware, up to amber, unmarked counts as green):
  const W1 = idOf(indicator(1)); // red: above the ceiling
  const A = idOf(indicator(2)); // TLP 2.0 green
  const W2 = idOf(malware(3)); // malware: a denied type
  const B = idOf(indicator(4)); // unmarked: counts as green
  const C = idOf(indicator(5)); // TLP 1.0 white
  const P = idOf(indicator(6)); // v1 amber (within), v2 amber+strict (above)
  const D = idOf(indicator(7)); // TLP 1.0 amber
  const W3 = idOf(indicator(8)); // TLP 2.0 amber+strict
  const W4 = idOf(malware(9)); // unmarked malware: a denied type

  beforeAll(async () => {
    h = await createHarness();
    await party(h, 'fr-police', 'FR');
    reader = await account(h, 'fr-reader', 'fr-police', ['reader']);
    fr = await collection(h, 'fr', 'FR');
    await agree(h, 'fr-read', [
      {
        party: 'fr-police',
        actions: ['read'],
        collections: { countries: ['FR'] },
        types: { deny: ['malware'] },
        max_tlp: 'amber',
        unmarked_as: 'green',
      },
    ]);
    // Withheld records first, last and in between, so that date headers, `more` and paging
    // computed over all records would differ from those over the visible ones.
    await add(
      h,
      fr,
      [
        marked(indicator(1), TLP.red2),
        marked(indicator(2), TLP.green2),
        marked(malware(3), TLP.green1),
        indicator(4),
        marked(indicator(5), TLP.white1),
        marked(indicator(6, V1), TLP.amber2),
        marked(indicator(7), TLP.amber1),
        marked(indicator(6, V2), TLP.amberStrict2),
        marked(indicator(8), TLP.amberStrict2),
        malware(9),
      ],
      h.accounts.editor.auth,
    );
  });
  afterAll(() => h.close());

  it('all ten records are stored (the operator sees them), so anything missing below is withheld', async () => {
    expect(await stored(h, fr)).toHaveLength(10);
    const body = taxii(await get(h, objectsUrl(fr) + qs({ 'match[version]': 'all' })), 200, 'envelope');
    expect(body.objects).toHaveLength(10);
  });

  // Issue #12 (inference across endpoints): "last" is the newest version the reader may see,
  // the same on objects, object, manifest and versions, so an object whose newest version is
  // withheld shows its newest visible one (P v1) instead of vanishing from the default view.
  it('objects: the newest visible version of each object, in date_added order; an object whose latest version is withheld shows its visible one', async () => {
    const body = taxii(await get(h, objectsUrl(fr), reader.auth), 200, 'envelope');
    expect(body.objects?.map(idOf)).toEqual([A, B, C, P, D]);
    expect(versionsOf(body)).toContain(at(P, V1));
    expect(body.more).toBe(false);
    expect(body.next).toBeUndefined();
  });

  it('manifest: the same visible records, with their versions', async () => {
    const body = taxii(await get(h, manifestUrl(fr), reader.auth), 200, 'manifest');
    expect(body.objects?.map(manifestAt)).toEqual([at(A), at(B), at(C), at(P, V1), at(D)]);
  });

  it('X-TAXII-Date-Added-First/-Last are those of the first and last visible records, not of withheld ones around them', async () => {
    for (const url of [objectsUrl(fr), manifestUrl(fr)]) {
      const res = await get(h, url, reader.auth);
      taxii(res, 200, url === objectsUrl(fr) ? 'envelope' : 'manifest');
      expect([res.headers['x-taxii-date-added-first'], res.headers['x-taxii-date-added-last']]).toEqual([
        await dateAdded(h, fr, A),
        await dateAdded(h, fr, D),
      ]);
    }
  });

  it('more is false when only withheld records follow the page', async () => {
    for (const url of [objectsUrl(fr), manifestUrl(fr)]) {
      const body = taxii(await get(h, url + qs({ limit: 5 }), reader.auth), 200, url === objectsUrl(fr) ? 'envelope' : 'manifest') as
        EnvelopeBody | ManifestBody;
      expect([body.objects?.length, body.more, body.next]).toEqual([5, false, undefined]);
    }
  });

  it.each([1, 2, 3])(
    'following next with limit=%i returns exactly the visible records, in order, with each page dated by its own records',
    async (limit) => {
      const seen: string[] = [];
      let next: string | undefined;
      do {
        const res = await get(h, objectsUrl(fr) + qs({ limit, ...(next !== undefined && { next }) }), reader.auth);
        const body = taxii(res, 200, 'envelope');
        const ids = body.objects?.map(idOf) ?? [];
        expect(ids.length).toBeGreaterThan(0);
        expect([res.headers['x-taxii-date-added-first'], res.headers['x-taxii-date-added-last']]).toEqual([
          await dateAdded(h, fr, ids[0] as string),
          await dateAdded(h, fr, ids[ids.length - 1] as string),
        ]);
        seen.push(...ids);
        expect(body.next !== undefined).toBe(body.more);
        next = body.next;
      } while (next !== undefined);
      expect(seen).toEqual([A, B, C, P, D]);
    },
  );

  it('match[version]=all shows the within-ceiling older version of an object whose latest version is above the ceiling, and never the latter', async () => {
    const body = taxii(await get(h, objectsUrl(fr) + qs({ 'match[version]': 'all' }), reader.auth), 200, 'envelope');
    expect(versionsOf(body)).toEqual([at(A), at(B), at(C), at(P, V1), at(D)]);
    const manifest = taxii(await get(h, manifestUrl(fr) + qs({ 'match[version]': 'all' }), reader.auth), 200, 'manifest');
    expect(manifest.objects?.map(manifestAt)).toEqual([at(A), at(B), at(C), at(P, V1), at(D)]);
  });

  it('match[version]=all paged with limit=2 returns the same visible records', async () => {
    const seen: string[] = [];
    let next: string | undefined;
    do {
      const body = taxii(
        await get(h, objectsUrl(fr) + qs({ 'match[version]': 'all', limit: 2, ...(next !== undefined && { next }) }), reader.auth),
        200,
        'envelope',
      );
      seen.push(...versionsOf(body));
      next = body.next;
    } while (next !== undefined);
    expect(seen).toEqual([at(A), at(B), at(C), at(P, V1), at(D)]);
  });

  it('versions lists only the visible versions; object-by-id shows the visible one under match[version]=all and not the withheld latest', async () => {
    const res = await get(h, versionsUrl(fr, P), reader.auth);
    expect(taxii(res, 200, 'versions')).toEqual<VersionsBody>({ more: false, versions: [V1] });
    // Dated by the visible version alone: the withheld one was added later.
    const added = await dateAdded(h, fr, P, V1);
    expect([res.headers['x-taxii-date-added-first'], res.headers['x-taxii-date-added-last']]).toEqual([added, added]);
    expect(versionsOf(taxii(await get(h, objectUrl(fr, P) + qs({ 'match[version]': 'all' }), reader.auth), 200, 'envelope'))).toEqual([at(P, V1)]);
    // The latest version is withheld: the default ("last") is the newest the reader may see.
    expect(versionsOf(taxii(await get(h, objectUrl(fr, P), reader.auth), 200, 'envelope'))).toEqual([at(P, V1)]);
    expect(versionsOf(taxii(await get(h, objectUrl(fr, P) + qs({ 'match[version]': 'last' }), reader.auth), 200, 'envelope'))).toEqual([at(P, V1)]);
    // The operator sees both, so the difference is the scope.
    expect(taxii(await get(h, versionsUrl(fr, P)), 200, 'versions').versions).toHaveLength(2);
  });

  it.each([
    ['above the TLP ceiling', W1],
    ['of a denied type', W2],
    ['amber+strict above amber', W3],
    ['unmarked, of a denied type', W4],
  ])('object-by-id and versions of an object %s are 404, exactly as for an object never stored', async (_why, id) => {
    const never = idOf(indicator(999));
    for (const url of [
      (x: string) => objectUrl(fr, x),
      (x: string) => versionsUrl(fr, x),
      (x: string) => objectUrl(fr, x) + qs({ 'match[version]': 'all' }),
    ]) {
      const hidden = taxii(await get(h, url(id), reader.auth), 404, 'error');
      const absent = taxii(await get(h, url(never), reader.auth), 404, 'error');
      expect({ ...hidden, description: without(hidden.description, id) }).toEqual({ ...absent, description: without(absent.description, never) });
    }
  });

  it('filters never reach withheld objects: match[id] of a withheld object and match[type]=malware find nothing', async () => {
    for (const filter of [{ 'match[id]': W1 }, { 'match[id]': `${W3},${W4}` }, { 'match[type]': 'malware' }] as Record<string, string>[]) {
      const res = await get(h, objectsUrl(fr) + qs(filter), reader.auth);
      expect(taxii(res, 200, 'envelope')).toEqual({ more: false });
      expect(res.headers['x-taxii-date-added-first']).toBeUndefined();
    }
    // match[id] of P: its newest visible version, as in the unfiltered page.
    expect(versionsOf(taxii(await get(h, objectsUrl(fr) + qs({ 'match[id]': P }), reader.auth), 200, 'envelope'))).toEqual([at(P, V1)]);
  });

  it('added_after the last visible record is an empty page, although withheld records were added later', async () => {
    const res = await get(h, objectsUrl(fr) + qs({ added_after: await dateAdded(h, fr, D) }), reader.auth);
    expect(taxii(res, 200, 'envelope')).toEqual({ more: false });
  });

  it('an agreement that does not say unmarked_as counts unmarked objects as amber', async () => {
    await party(h, 'de-bsi');
    const green = await account(h, 'de-green', 'de-bsi', ['reader']);
    await party(h, 'it-cert');
    const amber = await account(h, 'it-amber', 'it-cert', ['reader']);
    await agree(h, 'de-green', [{ party: 'de-bsi', actions: ['read'], collections: { ids: [fr.id] }, max_tlp: 'green' }]);
    await agree(h, 'it-amber', [{ party: 'it-cert', actions: ['read'], collections: { aliases: ['fr'] }, max_tlp: 'amber' }]);
    expect(taxii(await get(h, objectsUrl(fr), green.auth), 200, 'envelope').objects?.map(idOf)).toEqual([A, W2, C]);
    // Neither grant denies malware: W2 (green) is in both; unmarked W4 counts as amber too.
    expect(taxii(await get(h, objectsUrl(fr), amber.auth), 200, 'envelope').objects?.map(idOf)).toEqual([A, W2, B, C, P, D, W4]);
  });
});

describe('reads honour the scope across STIX spec versions', () => {
  let h: Harness;
  let c: CollectionRecord;
  let reader: TestAccount;
  // One object with a STIX 2.0 version (TLP 1.0 green, within) and a later 2.1 version (red, above).
  const X = `indicator--${uuid(60)}`;

  beforeAll(async () => {
    h = await createHarness();
    await party(h, 'fr-police', 'FR');
    reader = await account(h, 'fr-reader', 'fr-police', ['reader']);
    c = await collection(h, 'fr-mixed', 'FR');
    await agree(h, 'fr-read', [{ party: 'fr-police', actions: ['read'], collections: { countries: ['FR'] }, max_tlp: 'amber' }]);
    await add(h, c, [marked(indicator20(X, V1), TLP.green1), marked({ ...indicator(60, V2), id: X }, TLP.red2)], h.accounts.editor.auth);
  });
  afterAll(() => h.close());

  it('match[spec_version]=2.0 on objects lists the visible 2.0 version', async () => {
    const body = taxii(await get(h, objectsUrl(c) + qs({ 'match[spec_version]': '2.0' }), reader.auth), 200, 'envelope');
    expect(versionsOf(body)).toEqual([at(X, V1)]);
  });

  it('object-by-id and versions with match[spec_version]=2.0 show the visible 2.0 version, as the objects endpoint does', async () => {
    const body = taxii(await get(h, objectUrl(c, X) + qs({ 'match[spec_version]': '2.0' }), reader.auth), 200, 'envelope');
    expect(versionsOf(body)).toEqual([at(X, V1)]);
    const versions = taxii(await get(h, versionsUrl(c, X) + qs({ 'match[spec_version]': '2.0' }), reader.auth), 200, 'versions');
    expect(versions.versions).toEqual([V1]);
  });

  it('the withheld 2.1 version never appears, whatever spec_version is asked for', async () => {
    for (const spec of ['2.1', '2.0,2.1']) {
      const body = taxii(await get(h, objectsUrl(c) + qs({ 'match[spec_version]': spec, 'match[version]': 'all' }), reader.auth), 200, 'envelope');
      expect(versionsOf(body)).toEqual(spec === '2.1' ? [] : [at(X, V1)]);
    }
  });
});

describe('Add Objects stores only what the writer’s grant covers', () => {
  let h: Harness;
  let inbox: CollectionRecord;
  let writer: TestAccount;

  beforeAll(async () => {
    h = await createHarness();
    await party(h, 'fr-police', 'FR');
    writer = await account(h, 'fr-writer', 'fr-police', ['writer']);
    inbox = await collection(h, 'fr-inbox');
    await agree(h, 'fr-submit', [
      {
        party: 'fr-police',
        actions: ['write'],
        collections: { aliases: ['fr-inbox'] },
        types: { allow: ['indicator', 'tool'] },
        max_tlp: 'green',
        unmarked_as: 'deny',
      },
      // A wider read grant must not widen what may be written.
      { party: 'fr-police', actions: ['read'], collections: { aliases: ['fr-inbox'] }, max_tlp: 'red', unmarked_as: 'clear' },
    ]);
  });
  afterAll(() => h.close());

  it('each object outside the grant fails with the reason; the others are stored', async () => {
    const objects = [
      marked(indicator(1), TLP.green2),
      marked(malware(2), TLP.green2),
      marked(indicator(3), TLP.white1),
      marked(indicator(4), TLP.amber1),
      indicator(5),
      marked(tool(6), TLP.clear2),
      marked(indicator(7), TLP.clear2, TLP.amberStrict2),
      marked(indicator(8), TLP.red1),
    ];
    const status = await add(h, inbox, objects, writer.auth);
    const version = formatTimestamp(Date.parse(V1) * 1000);
    const ids = objects.map(idOf);
    expect(status).toMatchObject({ status: 'complete', total_count: 8, success_count: 3, failure_count: 5, pending_count: 0 });
    expect(status.successes?.map((s) => s.id).sort()).toEqual([ids[0], ids[2], ids[5]].sort());
    expect(status.failures).toEqual([
      { id: ids[1], version, message: `${ids[1]}: objects of type "malware" are outside the object types your agreements cover` },
      { id: ids[3], version, message: `${ids[3]}: TLP:AMBER is above the TLP ceiling of your agreements for this collection` },
      { id: ids[4], version, message: `${ids[4]}: unmarked objects are not accepted under your agreements; add a TLP marking` },
      { id: ids[6], version, message: `${ids[6]}: TLP:AMBER+STRICT is above the TLP ceiling of your agreements for this collection` },
      { id: ids[7], version, message: `${ids[7]}: TLP:RED is above the TLP ceiling of your agreements for this collection` },
    ]);
    expect(await stored(h, inbox)).toEqual([at(ids[0] as string), at(ids[2] as string), at(ids[5] as string)].sort());
  });

  // A writer who POSTs an (id, version) the collection already holds at a level it may not
  // read must not learn from the status that the withheld version exists, and must not be
  // told its copy was stored: the id is another party's, and that is all it learns (issue #12).
  it('posting an (id, version) already stored beyond what the writer may read is not reported stored, and reveals only that the id is taken', async () => {
    await party(h, 'br-police', 'BR');
    const blind = await account(h, 'br-writer', 'br-police', ['writer']);
    await agree(h, 'br-submit', [
      { party: 'br-police', actions: ['write'], collections: { aliases: ['fr-inbox'] }, max_tlp: 'green', unmarked_as: 'deny' },
    ]);
    await add(h, inbox, [marked(indicator(30), TLP.red2), marked(indicator(32), TLP.green2)], h.accounts.editor.auth);
    const version = formatTimestamp(Date.parse(V1) * 1000);
    const status = await add(
      h,
      inbox,
      [marked(indicator(30), TLP.green2), marked(indicator(31), TLP.green2), marked({ ...indicator(32), modified: V2 }, TLP.green2)],
      blind.auth,
    );
    expect(status.successes).toEqual([{ id: idOf(indicator(31)), version }]);
    // The hidden copy and a new version of a visible id get the same words: nothing about versions.
    expect(status.failures?.map((f) => f.message?.replace(/^[^:]+: /, ''))).toEqual([NOT_OWNER, NOT_OWNER]);
    // fr-writer may read up to RED: for it the duplicate is no secret.
    const seen = await add(h, inbox, [marked(indicator(30), TLP.green2)], writer.auth);
    expect(seen.successes).toEqual([{ id: idOf(indicator(30)), version, message: 'already stored' }]);
  });

  it('a new version above the ceiling of an object stored within it fails alone and leaves the stored version the latest', async () => {
    const ok = marked(indicator(20, V1), TLP.green1);
    expect((await add(h, inbox, [ok], writer.auth)).success_count).toBe(1);
    const status = await add(h, inbox, [marked(indicator(20, V2), TLP.amber2), marked(indicator(21), TLP.green1)], writer.auth);
    expect([status.success_count, status.failures?.map((f) => f.id)]).toEqual([1, [idOf(ok)]]);
    expect(await stored(h, inbox, [idOf(ok)])).toEqual([at(idOf(ok), V1)]);
  });
});

describe('Delete An Object touches only what the caller can see', () => {
  let h: Harness;
  let c: CollectionRecord;
  let admin: TestAccount;
  const RED = idOf(indicator(1));
  const GREEN = idOf(indicator(2));
  const MAL = idOf(malware(3));
  const P = idOf(indicator(4)); // v1 green, v2 red

  beforeAll(async () => {
    h = await createHarness();
    await party(h, 'fr-police', 'FR');
    // fr-police owns what it deletes (it added it, under a wider write grant); its read and
    // delete grants reach only up to amber and no malware.
    admin = await account(h, 'fr-editor', 'fr-police', ['writer', 'deleter']);
    c = await collection(h, 'fr-del', 'FR');
    await agree(h, 'fr-manage', [
      {
        party: 'fr-police',
        actions: ['read', 'delete'],
        collections: { countries: ['FR'] },
        types: { deny: ['malware'] },
        max_tlp: 'amber',
        unmarked_as: 'green',
      },
      { party: 'fr-police', actions: ['write'], collections: { countries: ['FR'] }, max_tlp: 'red', unmarked_as: 'green' },
    ]);
    await add(
      h,
      c,
      [
        marked(indicator(1), TLP.red1),
        marked(indicator(2), TLP.green2),
        marked(malware(3), TLP.clear2),
        marked(indicator(4, V1), TLP.green1),
        marked(indicator(4, V2), TLP.red2),
      ],
      admin.auth,
    );
  });
  afterAll(() => h.close());

  it.each([
    ['above the TLP ceiling', RED],
    ['of a denied type', MAL],
  ])('deleting an object %s is 404, as for an object never stored, and leaves it in place', async (_why, id) => {
    const never = idOf(indicator(999));
    const hidden = taxii(await del(h, objectUrl(c, id), admin.auth), 404, 'error');
    const absent = taxii(await del(h, objectUrl(c, never), admin.auth), 404, 'error');
    expect({ ...hidden, description: without(hidden.description, id) }).toEqual({ ...absent, description: without(absent.description, never) });
    expect(await stored(h, c, [id])).toEqual([at(id)]);
  });

  it('deleting a visible object removes it', async () => {
    expect((await del(h, objectUrl(c, GREEN), admin.auth)).status).toBe(200);
    expect(await stored(h, c, [GREEN])).toEqual([]);
  });

  // "last" is the newest version the caller may see, on DELETE as on GET (issue #12 item 6).
  it('match[version]=last of an object whose latest version is withheld deletes the newest visible version and leaves the withheld one', async () => {
    expect(versionsOf(taxii(await get(h, objectUrl(c, P), admin.auth), 200, 'envelope'))).toEqual([at(P, V1)]);
    expect((await del(h, objectUrl(c, P) + qs({ 'match[version]': 'last' }), admin.auth)).status).toBe(200);
    expect(await stored(h, c, [P])).toEqual([at(P, V2)]);
  });

  it('deleting an object none of whose remaining versions the caller may see is 404, as GET answers, and removes nothing', async () => {
    const got = taxii(await get(h, objectUrl(c, P), admin.auth), 404, 'error');
    expect(taxii(await del(h, objectUrl(c, P), admin.auth), 404, 'error')).toEqual(got);
    expect(await stored(h, c, [P])).toEqual([at(P, V2)]);
  });
});

describe('collections: only what the caller can read or write, with honest rights; 404 invisible, 403 not allowed', () => {
  let h: Harness;
  let readable: CollectionRecord;
  let writable: CollectionRecord;
  let none: CollectionRecord;
  let acct: Record<'reader' | 'writer' | 'auditor' | 'editor', TestAccount>;

  beforeAll(async () => {
    h = await createHarness();
    await party(h, 'it-cert', 'IT');
    acct = {
      reader: await account(h, 'it-reader', 'it-cert', ['reader']),
      writer: await account(h, 'it-writer', 'it-cert', ['writer']),
      auditor: await account(h, 'it-auditor', 'it-cert', ['auditor']),
      editor: await account(h, 'it-editor', 'it-cert', ['writer', 'deleter']),
    };
    // Titles sort as c1 < c2 < c3, the order collections are listed in.
    readable = await collection(h, 'c1-it', 'IT');
    writable = await collection(h, 'c2-drop');
    none = await collection(h, 'c3-none', 'FR');
    await agree(h, 'it-read', [{ party: 'it-cert', actions: ['read'], collections: { countries: ['IT'] }, max_tlp: 'red' }]);
    await agree(h, 'it-drop', [{ party: 'it-cert', actions: ['write'], collections: { aliases: ['c2-drop'] }, max_tlp: 'red' }]);
    // An agreement of another party on the invisible collection: it must not leak to it-cert.
    await party(h, 'fr-police', 'FR');
    await agree(h, 'fr-all', [{ party: 'fr-police', actions: ['read', 'write', 'delete'], collections: { all: true }, max_tlp: 'red' }]);
    await add(h, none, [indicator(1)], h.accounts.editor.auth);
    await add(h, readable, [indicator(1)], h.accounts.editor.auth);
  });
  afterAll(() => h.close());

  const view = (c: CollectionRecord, canRead: boolean, canWrite: boolean): CollectionBody => ({
    id: c.id,
    title: c.title,
    alias: c.alias as string,
    can_read: canRead,
    can_write: canWrite,
    media_types: c.mediaTypes,
  });

  it.each([
    ['reader', () => [view(readable, true, false)]],
    ['writer', () => [view(readable, true, false), view(writable, false, true)]],
    ['editor', () => [view(readable, true, false), view(writable, false, true)]],
  ] as const)('the collections list of the %s of it-cert holds exactly the collections it can read or write', async (role, expected) => {
    expect(taxii(await get(h, '/api1/collections/', acct[role].auth), 200, 'collections')).toEqual({ collections: expected() });
  });

  it('an auditor (no rights under any agreement) gets an empty collections list', async () => {
    const res = await get(h, '/api1/collections/', acct.auditor.auth);
    expect(res.text).toBe('{}');
  });

  it('collection detail states the same rights', async () => {
    expect(taxii(await get(h, collectionUrl(readable), acct.writer.auth), 200, 'collection')).toEqual(view(readable, true, false));
    expect(taxii(await get(h, collectionUrl(writable), acct.writer.auth), 200, 'collection')).toEqual(view(writable, false, true));
    expect(taxii(await get(h, collectionUrl(readable), acct.reader.auth), 200, 'collection')).toEqual(view(readable, true, false));
  });

  const id = idOf(indicator(1));
  const ROUTES = {
    'GET collection': (c: CollectionRecord, a: TestAccount, hh: Harness) => get(hh, collectionUrl(c), a.auth),
    'GET objects': (c: CollectionRecord, a: TestAccount, hh: Harness) => get(hh, objectsUrl(c), a.auth),
    'GET manifest': (c: CollectionRecord, a: TestAccount, hh: Harness) => get(hh, manifestUrl(c), a.auth),
    'GET object': (c: CollectionRecord, a: TestAccount, hh: Harness) => get(hh, objectUrl(c, id), a.auth),
    'GET versions': (c: CollectionRecord, a: TestAccount, hh: Harness) => get(hh, versionsUrl(c, id), a.auth),
    'POST objects': (c: CollectionRecord, a: TestAccount, hh: Harness) =>
      post(hh, objectsUrl(c), JSON.stringify({ objects: [indicator(2)] }), a.auth),
    'DELETE object': (c: CollectionRecord, a: TestAccount, hh: Harness) => del(hh, objectUrl(c, id), a.auth),
  };
  type Route = keyof typeof ROUTES;
  type Who = keyof typeof acct;
  type Where = 'readable' | 'writable' | 'none';
  // Literal: 404 when the collection is neither readable nor writable for the caller, 403 when
  // visible but the right (role and agreement) is missing, else the endpoint's success status.
  const CASES: [Who, Where, Route, number][] = [
    ['reader', 'none', 'GET collection', 404],
    ['reader', 'none', 'GET objects', 404],
    ['reader', 'none', 'GET object', 404],
    ['reader', 'none', 'POST objects', 404],
    ['reader', 'none', 'DELETE object', 404],
    ['reader', 'writable', 'GET collection', 404],
    ['reader', 'writable', 'POST objects', 404],
    ['reader', 'readable', 'GET objects', 200],
    ['reader', 'readable', 'GET object', 200],
    ['reader', 'readable', 'POST objects', 403],
    ['reader', 'readable', 'DELETE object', 403],
    ['writer', 'writable', 'GET collection', 200],
    ['writer', 'writable', 'GET objects', 403],
    ['writer', 'writable', 'GET manifest', 403],
    ['writer', 'writable', 'GET object', 403],
    ['writer', 'writable', 'GET versions', 403],
    ['writer', 'writable', 'POST objects', 202],
    ['writer', 'readable', 'POST objects', 403],
    ['writer', 'readable', 'DELETE object', 403],
    ['writer', 'none', 'GET manifest', 404],
    ['writer', 'none', 'GET versions', 404],
    ['editor', 'readable', 'DELETE object', 403],
    ['editor', 'writable', 'DELETE object', 403],
    ['editor', 'none', 'DELETE object', 404],
    ['auditor', 'readable', 'GET collection', 404],
    ['auditor', 'readable', 'GET objects', 404],
    ['auditor', 'writable', 'POST objects', 404],
  ];
  it.each(CASES)('%s of it-cert on the %s collection: %s → %i', async (whoName, where, route, status) => {
    const c = { readable, writable, none }[where];
    const res = await ROUTES[route](c, acct[whoName], h);
    expect(res.status).toBe(status);
    if (status === 404) {
      // Indistinguishable from a collection that does not exist.
      const missing = { ...c, id: '99999999-9999-4999-8999-999999999999' };
      const absent = await ROUTES[route](missing, acct[whoName], h);
      expect([absent.status, absent.text]).toEqual([404, res.text]);
    }
    if (status === 403) expect(taxii(res, 403, 'error').title).toBe('Not allowed');
  });

  it('the 403 says why: the role, or the missing agreement', async () => {
    expect(taxii(await post(h, objectsUrl(readable), JSON.stringify({ objects: [indicator(3)] }), acct.reader.auth), 403, 'error').description).toBe(
      "the account's roles (reader) do not include write",
    );
    expect(taxii(await post(h, objectsUrl(readable), JSON.stringify({ objects: [indicator(3)] }), acct.writer.auth), 403, 'error').description).toBe(
      'no data-sharing agreement in force grants your organisation write on this collection',
    );
  });
});
