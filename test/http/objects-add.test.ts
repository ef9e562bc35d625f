import type { CollectionRecord } from '../../src/catalog/types';
import { createAgreement } from '../../src/catalog/agreements';
import { createHarness, indicator, TAXII, type Harness } from '../support/harness';
import {
  add,
  idsOf,
  freshCollection,
  get,
  indicator20,
  ipv4,
  malware,
  manifestUrl,
  objectsUrl,
  post,
  qs,
  rawPost,
  statusUrl,
  taxii,
  TIMESTAMP,
  versionsUrl,
  type StatusBody,
} from './wire';

/** Every record the collection holds, whatever its version or spec version. */
async function everything(h: Harness, c: CollectionRecord) {
  const res = await get(h, manifestUrl(c) + qs({ 'match[version]': 'all', 'match[spec_version]': '2.0,2.1' }));
  return taxii(res, 200, 'manifest');
}

describe('TAXII 2.1 §5.5 Add Objects', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  it('§5.5 answers 202 with a complete status: counts, and each success with its id and canonical version', async () => {
    const c = await freshCollection(h);
    h.clock.now = Date.UTC(2026, 5, 1) * 1000;
    const status = await add(h, c, [indicator(1, '2026-01-01T00:00:00.000Z'), malware(2, '2026-01-02T03:04:05.6789Z'), ipv4(3)]);
    expect(status).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      status: 'complete',
      request_timestamp: '2026-06-01T00:00:00.000000Z',
      total_count: 3,
      success_count: 3,
      failure_count: 0,
      pending_count: 0,
      successes: [
        { id: indicator(1).id, version: '2026-01-01T00:00:00.000000Z' },
        { id: malware(2).id, version: '2026-01-02T03:04:05.678900Z' },
        // An SCO without timestamps is versioned by its date_added: the third record of this POST.
        { id: ipv4(3).id, version: '2026-06-01T00:00:00.000002Z' },
      ],
    });
  });

  it('§5.5 the added objects are readable exactly as sent', async () => {
    const c = await freshCollection(h);
    const sent = [indicator(1, '2026-01-01T00:00:00.000Z', { labels: ['x'], x_custom: { nested: [1, 2.5, null, 'é'] } }), malware(2), ipv4(3)];
    await add(h, c, sent);
    expect(taxii(await get(h, objectsUrl(c)), 200, 'envelope')).toEqual({ more: false, objects: sent });
  });

  it('§5.5 the status is readable afterwards at /{root}/status/{id}/', async () => {
    const c = await freshCollection(h);
    const status = await add(h, c, [indicator(1)]);
    expect(taxii(await get(h, statusUrl('api1', status.id), h.accounts.writer.auth), 200, 'status')).toEqual(status);
  });

  describe('each object succeeds or fails on its own', () => {
    let c: CollectionRecord;
    let status: StatusBody;
    const good1 = indicator(11);
    const good2 = malware(12);
    const badPrefix = { ...indicator(13), id: 'malware--00000000-0000-4000-8000-000000000013' };
    const missingType: Record<string, unknown> = { ...indicator(14) };
    delete missingType.type;
    const badTimestamp = indicator(15, 'yesterday');
    const badUuid = { ...indicator(16), id: 'indicator--not-a-uuid' };

    beforeAll(async () => {
      c = await freshCollection(h);
      // Not through add(): the schema check is the job of one test below, so that the others still run if it fails.
      const res = await post(
        h,
        objectsUrl(c),
        JSON.stringify({ objects: [good1, badPrefix, missingType, badTimestamp, 42, good2, null, ['a'], badUuid] }),
      );
      expect(res.status).toBe(202);
      expect(res.headers['content-type']).toBe(TAXII);
      status = JSON.parse(res.text) as StatusBody;
    });

    it('§5.5 a bad object never sinks the good ones: counts add up', () => {
      expect(status).toMatchObject({ status: 'complete', total_count: 9, success_count: 2, failure_count: 7, pending_count: 0 });
      expect(status.successes?.map((s) => s.id)).toEqual([good1.id, good2.id]);
    });

    it('§4.3.1 each failure names the object (its id, or its position when it has none) and says why', () => {
      expect(status.failures?.map((f) => f.id)).toEqual([
        badPrefix.id,
        missingType.id,
        badTimestamp.id,
        'objects[4]',
        'objects[6]',
        'objects[7]',
        badUuid.id,
      ]);
      for (const f of status.failures ?? []) expect(f.message).toEqual(expect.stringMatching(/\S/));
    });

    it('§5.5 the valid objects are stored and readable; the invalid ones are not', async () => {
      expect(taxii(await get(h, objectsUrl(c)), 200, 'envelope')).toEqual({ more: false, objects: [good1, good2] });
      expect((await everything(h, c)).objects?.map((r) => r.id)).toEqual([good1.id, good2.id]);
    });

    it('§4.3.1 a status with failures is a valid status resource (every failure has a version)', async () => {
      const stored = taxii(await get(h, statusUrl('api1', status.id), h.accounts.writer.auth), 200, 'status');
      // Members that are not objects have no version of their own: the request's time stands in.
      expect(stored.failures?.find((f) => f.id === 'objects[4]')?.version).toBe(stored.request_timestamp);
    });
  });

  it('§5.5 the same (id, version) added twice is stored once, and is a success both times', async () => {
    const c = await freshCollection(h);
    const o = indicator(21, '2026-02-02T02:02:02.020Z');
    const first = await add(h, c, [o]);
    const second = await add(h, c, [o]);
    for (const s of [first, second]) {
      expect(s).toMatchObject({ total_count: 1, success_count: 1, failure_count: 0 });
      expect(s.successes?.[0]).toMatchObject({ id: o.id, version: '2026-02-02T02:02:02.020000Z' });
    }
    expect(taxii(await get(h, versionsUrl(c, o.id as string)), 200, 'versions').versions).toEqual(['2026-02-02T02:02:02.020Z']);
    expect((await everything(h, c)).objects).toHaveLength(1);
  });

  it('§5.5 the same (id, version) twice in one envelope is stored once, two successes', async () => {
    const c = await freshCollection(h);
    const o = indicator(22);
    const status = await add(h, c, [o, o]);
    expect(status).toMatchObject({ total_count: 2, success_count: 2, failure_count: 0 });
    expect((await everything(h, c)).objects).toHaveLength(1);
  });

  it('§5.5 re-sending an object whose content changed but whose version did not keeps the first copy', async () => {
    const c = await freshCollection(h);
    const o = indicator(23);
    await add(h, c, [o]);
    const status = await add(h, c, [{ ...o, name: 'changed without a new modified' }]);
    expect(status.success_count).toBe(1);
    expect(taxii(await get(h, objectsUrl(c)), 200, 'envelope').objects).toEqual([o]);
  });

  it('§5.5 a new modified is a new version: both are kept', async () => {
    const c = await freshCollection(h);
    await add(h, c, [indicator(24, '2026-01-01T00:00:00.000Z')]);
    await add(h, c, [indicator(24, '2026-01-02T00:00:00.000Z')]);
    expect(taxii(await get(h, versionsUrl(c, indicator(24).id as string)), 200, 'versions').versions).toEqual([
      '2026-01-01T00:00:00.000Z',
      '2026-01-02T00:00:00.000Z',
    ]);
  });

  it('§5.5 an SCO without timestamps re-sent is stored once; the second status reports the first version', async () => {
    const c = await freshCollection(h);
    h.clock.now = Date.UTC(2026, 6, 1) * 1000;
    const first = await add(h, c, [ipv4(25)]);
    h.clock.advance(60_000_000);
    const second = await add(h, c, [ipv4(25)]);
    expect(first.successes).toEqual([{ id: ipv4(25).id, version: '2026-07-01T00:00:00.000000Z' }]);
    expect(second.successes?.[0]).toMatchObject({ id: ipv4(25).id, version: '2026-07-01T00:00:00.000000Z' });
    expect((await everything(h, c)).objects).toHaveLength(1);
  });

  it('§5.5 the same id and version in STIX 2.0 and 2.1 are two records', async () => {
    const c = await freshCollection(h);
    const id = indicator(26).id as string;
    await add(h, c, [indicator20(id, '2026-01-01T00:00:00.000Z'), indicator(26, '2026-01-01T00:00:00.000Z')]);
    const media = (await everything(h, c)).objects?.map((r) => r.media_type);
    expect(media).toEqual(['application/stix+json;version=2.0', 'application/stix+json;version=2.1']);
  });

  it('§5.5 a STIX bundle is read as an envelope (docs/conformance.md)', async () => {
    const c = await freshCollection(h);
    const body = JSON.stringify({ type: 'bundle', id: 'bundle--00000000-0000-4000-8000-000000000027', objects: [indicator(27)] });
    const status = taxii(await post(h, objectsUrl(c), body), 202, 'status');
    expect(status.success_count).toBe(1);
  });

  it('§5.5 a writer may add to a collection of another API root it can write', async () => {
    const status = await add(h, h.collections.gamma, [indicator(28)]);
    expect(status.success_count).toBe(1);
    expect(taxii(await get(h, statusUrl('api2', status.id), h.accounts.writer.auth), 200, 'status')).toEqual(status);
  });

  it('§5.5 an admin may add', async () => {
    const c = await freshCollection(h);
    expect((await add(h, c, [indicator(29)], h.accounts.editor.auth)).success_count).toBe(1);
  });

  it('§5.5 a reader gets 403 and nothing is stored', async () => {
    const c = await freshCollection(h);
    const body = taxii(await post(h, objectsUrl(c), JSON.stringify({ objects: [indicator(30)] }), h.accounts.reader.auth), 403, 'error');
    expect(body.title).toBe('Not allowed');
    expect(await everything(h, c)).toEqual({ more: false });
  });

  it('§5.5 an auditor gets 404 (the collection is invisible to it) and nothing is stored', async () => {
    const c = await freshCollection(h);
    taxii(await post(h, objectsUrl(c), JSON.stringify({ objects: [indicator(31)] }), h.accounts.auditor.auth), 404, 'error');
    expect(await everything(h, c)).toEqual({ more: false });
  });

  it('§5.5 an unknown collection is 404', async () => {
    taxii(
      await post(h, '/api1/collections/9a4b7c2e-3d1f-4e5a-8b6c-7d8e9f0a1b2c/objects/', JSON.stringify({ objects: [indicator(32)] })),
      404,
      'error',
    );
  });
});

/** A body `depth` levels deep in total: the envelope, its list, one object and nested lists inside it. */
function nestedEnvelope(depth: number): string {
  const inner = depth - 3;
  return `{"objects":[${JSON.stringify(indicator(40)).slice(0, -1)},"x_deep":${'['.repeat(inner)}${']'.repeat(inner)}}]}`;
}

describe('TAXII 2.1 §5.5 Add Objects: rejected requests store nothing', () => {
  const LIMIT = 4096;
  let h: Harness;
  let c: CollectionRecord;
  beforeAll(async () => {
    h = await createHarness({ maxContentLength: LIMIT });
  });
  beforeEach(async () => {
    c = await freshCollection(h);
  });
  afterEach(async () => {
    expect(await everything(h, c)).toEqual({ more: false });
  });
  afterAll(() => h.close());

  /** A valid envelope of exactly `size` bytes (a padding custom property fills it). */
  const envelopeOfSize = (size: number) => {
    const base = JSON.stringify({ objects: [indicator(50, undefined, { x_pad: '' })] });
    const body = base.replace('"x_pad":""', `"x_pad":"${'p'.repeat(size - base.length)}"`);
    expect(Buffer.byteLength(body)).toBe(size);
    return body;
  };

  it('§5.5 a body over max_content_length with a Content-Length is 413', async () => {
    const res = await post(h, objectsUrl(c), envelopeOfSize(LIMIT + 1));
    expect(taxii(res, 413, 'error').description).toContain(String(LIMIT));
  });

  it('§5.5 a chunked body over max_content_length is 413', async () => {
    const body = envelopeOfSize(LIMIT + 1);
    const res = await rawPost(h, objectsUrl(c), [body.slice(0, 1000), body.slice(1000, 3000), body.slice(3000)]);
    expect(res.status).toBe(413);
    expect(res.headers['content-type']).toBe(TAXII);
    expect(JSON.parse(res.text)).toMatchObject({ http_status: '413' });
  });

  it('§5.5 a body of exactly max_content_length is accepted (with a Content-Length, and chunked)', async () => {
    const body = envelopeOfSize(LIMIT);
    expect(taxii(await post(h, objectsUrl(c), body), 202, 'status').success_count).toBe(1);
    const chunked = await rawPost(h, objectsUrl(c), [body.slice(0, 2000), body.slice(2000)]);
    expect(chunked.status).toBe(202);
    // This test stores one object on purpose; empty the collection for the afterEach check.
    c = await freshCollection(h);
  });

  it.each([
    ['not JSON', '{"objects": ['],
    ['empty', ''],
    ['JSON with a trailing comma', '{"objects": [],}'],
  ])('§5.5 a malformed body (%s) is 400', async (_what, body) => {
    expect(taxii(await post(h, objectsUrl(c), body), 400, 'error').title).toBe('Malformed JSON');
  });

  it.each([
    ['a list', '[]'],
    ['a string', '"objects"'],
    ['a number', '42'],
    ['null', 'null'],
    ['an object without objects', '{}'],
    ['objects not a list', '{"objects": {"a": 1}}'],
    ['objects a string', '{"objects": "x"}'],
    ['objects null', '{"objects": null}'],
  ])('§5.5 an envelope that is %s is 400', async (_what, body) => {
    expect(taxii(await post(h, objectsUrl(c), body), 400, 'error').title).toBe('Not an envelope');
  });

  it('§5.5 a body that is not UTF-8 is 400, not stored with replacement characters', async () => {
    const bytes = Buffer.from(JSON.stringify({ objects: [indicator(45, undefined, { name: 'XX' })] }));
    bytes.set([0xc3, 0x28], bytes.indexOf('XX')); // 0xC3 must be followed by a continuation byte
    const res = await rawPost(h, objectsUrl(c), bytes);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe(TAXII);
    expect(JSON.parse(res.text)).toMatchObject({ title: 'Malformed JSON', http_status: '400' });
  });

  it('§5.5 the same body in valid UTF-8 is accepted and stored exactly', async () => {
    const sent = indicator(46, undefined, { name: 'Ç( — 東京 🛰' });
    const res = await rawPost(h, objectsUrl(c), Buffer.from(JSON.stringify({ objects: [sent] })));
    expect(res.status).toBe(202);
    expect(taxii(await get(h, objectsUrl(c)), 200, 'envelope').objects).toEqual([sent]);
    c = await freshCollection(h);
  });

  it('§5.5 nesting deeper than 64 levels is 400', async () => {
    const body = taxii(await post(h, objectsUrl(c), nestedEnvelope(65)), 400, 'error');
    expect(body.description).toContain('64');
  });

  it('§5.5 nesting of exactly 64 levels is accepted', async () => {
    expect(taxii(await post(h, objectsUrl(c), nestedEnvelope(64)), 202, 'status').success_count).toBe(1);
    c = await freshCollection(h);
  });

  it('§5.5 very deep nesting (100,000 levels) is a 400, not a crash', async () => {
    const deep = await createHarness({ maxContentLength: 1024 * 1024 });
    try {
      const dc = await freshCollection(deep);
      const body = `{"objects":[${'['.repeat(100_000)}${']'.repeat(100_000)}]}`;
      taxii(await post(deep, objectsUrl(dc), body), 400, 'error');
      expect(await everything(deep, dc)).toEqual({ more: false });
    } finally {
      await deep.close();
    }
  });

  it('§5.5 request_timestamp and every version in a status are canonical timestamps', async () => {
    const status = await add(h, c, [indicator(60, '2026-01-01T00:00:00.1234Z')]);
    expect(status.request_timestamp).toMatch(TIMESTAMP);
    expect(status.successes?.[0]?.version).toBe('2026-01-01T00:00:00.123400Z');
    c = await freshCollection(h);
  });
});

describe('TAXII 2.1 §5.5 Add Objects: Accord’s per-object size limit (maxObjectSize)', () => {
  const MAX = 2000;
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ config: { maxObjectSize: MAX } });
  });
  afterAll(() => h.close());

  /** An indicator whose JSON is exactly `chars` characters, its name made of `fill`. */
  const sized = (chars: number, fill: string) => {
    const base = JSON.stringify(indicator(70, undefined, { name: '' })).length;
    return indicator(70, undefined, { name: fill.repeat(chars - base) });
  };

  it('§5.5 an object of exactly the limit is accepted', async () => {
    const c = await freshCollection(h);
    expect((await add(h, c, [sized(MAX, 'a')])).success_count).toBe(1);
  });

  // Regression (issue 13 item 4): the whole request got 413 though its body was within
  // the API root's max_content_length, which is the only size §4.2.1 lets a server refuse.
  it('§4.2.1 / §5.5 an object over the limit fails alone in the status (202, not 413); the others are stored', async () => {
    const c = await freshCollection(h);
    const big = sized(MAX + 1, 'a');
    const res = await post(h, objectsUrl(c), JSON.stringify({ objects: [indicator(71), big] }));
    const status = taxii(res, 202, 'status');
    expect([status.success_count, status.failure_count]).toEqual([1, 1]);
    expect(status.failures).toEqual([
      { id: big.id, version: big.modified, message: `${big.id as string}: larger than the ${MAX}-byte limit for one object` },
    ]);
    expect(idsOf(await everything(h, c))).toEqual([indicator(71).id]);
  });

  it('§5.5 the limit counts bytes, not characters: 1,500 characters of 3-byte text are over 2,000 bytes', async () => {
    const c = await freshCollection(h);
    const big = sized(1500, '東');
    expect(Buffer.byteLength(JSON.stringify(big))).toBeGreaterThan(MAX);
    expect(taxii(await post(h, objectsUrl(c), JSON.stringify({ objects: [big] })), 202, 'status').failure_count).toBe(1);
  });
});

describe('TAXII 2.1 §4.3.1 status details of objects the writer’s agreement does not cover', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ operatorAgreement: false });
    // The writer may add indicators only: anything else fails alone, with the reason.
    await createAgreement(h.store, h.clock.read, 'test', {
      id: 'indicators-only',
      title: 'Indicators only',
      instrument: 'test',
      parties: ['operator'],
      valid_from: '2000-01-01T00:00:00Z',
      status: 'active',
      grants: [
        {
          party: 'operator',
          actions: ['read', 'write'],
          collections: { all: true },
          types: { allow: ['indicator'] },
          max_tlp: 'red',
          unmarked_as: 'clear',
        },
      ],
    });
  });
  afterAll(() => h.close());

  it('§5.5 objects outside the agreement fail alone; the indicator is stored', async () => {
    const c = await freshCollection(h);
    const status = await post(h, objectsUrl(c), JSON.stringify({ objects: [indicator(80), malware(81), ipv4(82)] }));
    expect(status.status).toBe(202);
    const body = JSON.parse(status.text) as StatusBody;
    expect(body).toMatchObject({ success_count: 1, failure_count: 2 });
    expect(body.failures?.map((f) => f.id)).toEqual([malware(81).id, ipv4(82).id]);
    expect(taxii(await get(h, objectsUrl(c)), 200, 'envelope').objects).toEqual([indicator(80)]);
  });

  it('§4.3.1 the failure of a refused SCO without timestamps still has a version', async () => {
    const c = await freshCollection(h);
    taxii(await post(h, objectsUrl(c), JSON.stringify({ objects: [ipv4(83)] })), 202, 'status');
  });
});
