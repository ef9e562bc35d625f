/**
 * Content codings on the TAXII API: responses compressed on request (RFC 9110 §8.4
 * Content-Encoding, §12.5.3 Accept-Encoding, §12.5.5 Vary), request bodies accepted gzip- or
 * deflate-coded with max_content_length (TAXII 2.1 §4.2.1) applying to the decoded size, and
 * 415 for codings the server cannot decode (RFC 9110 §15.5.16).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import type { CollectionRecord } from '../../src/catalog/types';
import { preferredCoding } from '../../src/http/compression';
import { createHarness, indicator, TAXII, type Harness } from '../support/harness';
import { add, freshCollection, objectsUrl, type EnvelopeBody, type ErrorBody, type StatusBody } from './wire';

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The bytes as they came over the wire, still coded. */
  bytes: Buffer;
}

/** A request through a real socket: supertest would decode the body before we see it. */
async function exchange(h: Harness, method: 'GET' | 'POST', path: string, headers: http.OutgoingHttpHeaders, body?: Buffer): Promise<Raw> {
  const server = h.app.listen(0, '127.0.0.1');
  try {
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    return await new Promise<Raw>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port, path, method, headers: { Accept: TAXII, ...headers, ...(body && { 'Content-Length': body.length }) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes: Buffer.concat(chunks) }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  } finally {
    await new Promise<void>((done) => server.close(() => done()));
  }
}

const decoded = (r: Raw): unknown => {
  const coding = r.headers['content-encoding'];
  const bytes = coding === 'gzip' ? zlib.gunzipSync(r.bytes) : coding === 'br' ? zlib.brotliDecompressSync(r.bytes) : r.bytes;
  return JSON.parse(bytes.toString()) as unknown;
};

describe('RFC 9110 §12.5.3 Accept-Encoding: choosing the coding', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['identity', undefined],
    ['gzip', 'gzip'],
    ['x-gzip', 'gzip'],
    ['br', 'br'],
    ['gzip, deflate, br', 'gzip'],
    ['br;q=1, gzip;q=0.9', 'br'],
    ['gzip;q=1, br;q=0.5', 'gzip'],
    ['GZIP; Q=0.8, br;q=0', 'gzip'],
    ['*', 'gzip'],
    ['*;q=0.5, br;q=0', 'gzip'],
    ['gzip;q=0.2, identity;q=0.8', undefined],
    ['gzip;q=0', undefined],
    ['*;q=0', undefined],
    ['deflate, compress', undefined],
    ['gzip;q=7', undefined],
  ])('Accept-Encoding %p → %p', (header, expected) => {
    expect(preferredCoding(header)).toBe(expected);
  });
});

describe('TAXII 2.1 §5.4 Get Objects with response compression (RFC 9110 §8.4)', () => {
  let h: Harness;
  let c: CollectionRecord;
  const objects = Array.from({ length: 40 }, (_, i) => indicator(i + 1));
  beforeAll(async () => {
    h = await createHarness();
    c = await freshCollection(h);
    await add(h, c, objects);
  });
  afterAll(() => h.close());

  const getObjects = (acceptEncoding?: string) =>
    exchange(h, 'GET', objectsUrl(c), {
      Authorization: h.accounts.reader.auth,
      ...(acceptEncoding !== undefined && { 'Accept-Encoding': acceptEncoding }),
    });

  it.each(['gzip', 'br'])(
    '§8.4 a page asked for with Accept-Encoding: %s comes coded so, smaller, and decodes to the same envelope',
    async (coding) => {
      const plain = await getObjects();
      const coded = await getObjects(coding);
      expect(coded.status).toBe(200);
      expect(coded.headers['content-encoding']).toBe(coding);
      expect(coded.headers['content-type']).toBe(TAXII);
      expect(coded.bytes.length).toBeLessThan(plain.bytes.length / 3);
      expect(decoded(coded)).toEqual(decoded(plain));
      expect((decoded(coded) as EnvelopeBody).objects).toHaveLength(40);
    },
  );

  it('§12.5.3 q-values decide: br preferred over gzip is answered with br, and the other way round', async () => {
    expect((await getObjects('br;q=0.9, gzip;q=0.4')).headers['content-encoding']).toBe('br');
    expect((await getObjects('br;q=0.4, gzip;q=0.9')).headers['content-encoding']).toBe('gzip');
  });

  it('§12.5.3 without Accept-Encoding, or with only identity acceptable, the page goes out as is', async () => {
    for (const header of [undefined, 'identity', 'gzip;q=0, br;q=0']) {
      const r = await getObjects(header);
      expect(r.headers['content-encoding']).toBeUndefined();
      expect((JSON.parse(r.bytes.toString()) as EnvelopeBody).objects).toHaveLength(40);
    }
  });

  it('§12.5.5 every response says it varies by Accept-Encoding, compressed or not, so caches keep the codings apart', async () => {
    expect((await getObjects('gzip')).headers.vary).toMatch(/Accept-Encoding/i);
    expect((await getObjects()).headers.vary).toMatch(/Accept-Encoding/i);
  });

  it('a response below the threshold is not compressed (the coding would cost more than it saves)', async () => {
    const discovery = await exchange(h, 'GET', '/taxii2/', { Authorization: h.accounts.reader.auth, 'Accept-Encoding': 'gzip, br' });
    expect(discovery.status).toBe(200);
    expect(discovery.bytes.length).toBeLessThan(h.config.compression.threshold);
    expect(discovery.headers['content-encoding']).toBeUndefined();
  });

  it('error resources are compressed too when large enough; a 406 still names the TAXII media type', async () => {
    const r = await exchange(h, 'GET', objectsUrl(c), { Authorization: h.accounts.reader.auth, Accept: 'text/html', 'Accept-Encoding': 'gzip' });
    expect(r.status).toBe(406);
    expect((decoded(r) as ErrorBody).http_status).toBe('406');
  });
});

describe('response compression switched off (compression.enabled = false)', () => {
  let h: Harness;
  let c: CollectionRecord;
  beforeAll(async () => {
    h = await createHarness({ config: { compression: { enabled: false, threshold: 0, gzipLevel: 6, brotliQuality: 4 } } });
    c = await freshCollection(h);
    await add(
      h,
      c,
      Array.from({ length: 20 }, (_, i) => indicator(i + 1)),
    );
  });
  afterAll(() => h.close());

  it('a client asking for gzip gets the page as is, with no Vary', async () => {
    const r = await exchange(h, 'GET', objectsUrl(c), { Authorization: h.accounts.reader.auth, 'Accept-Encoding': 'gzip, br' });
    expect(r.status).toBe(200);
    expect(r.headers['content-encoding']).toBeUndefined();
    expect(r.headers.vary).toBeUndefined();
    expect((JSON.parse(r.bytes.toString()) as EnvelopeBody).objects).toHaveLength(20);
  });
});

describe('TAXII 2.1 §5.5 Add Objects with a coded request body (RFC 9110 §8.4)', () => {
  const LIMIT = 1024 * 1024;
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ maxContentLength: LIMIT });
  });
  afterAll(() => h.close());

  const postCoded = (c: CollectionRecord, coding: string | undefined, body: Buffer, auth = h.accounts.writer.auth) =>
    exchange(
      h,
      'POST',
      objectsUrl(c),
      { Authorization: auth, 'Content-Type': TAXII, ...(coding !== undefined && { 'Content-Encoding': coding }) },
      body,
    );

  const envelopeOf = (from: number, n: number) => Buffer.from(JSON.stringify({ objects: Array.from({ length: n }, (_, i) => indicator(from + i)) }));

  it.each([
    ['gzip', zlib.gzipSync],
    ['x-gzip', zlib.gzipSync],
    ['deflate', zlib.deflateSync],
  ] as const)('an envelope sent with Content-Encoding: %s is decoded and stored', async (coding, compress) => {
    const c = await freshCollection(h);
    const r = await postCoded(c, coding, compress(envelopeOf(1, 25)));
    expect(r.status).toBe(202);
    expect((JSON.parse(r.bytes.toString()) as StatusBody).success_count).toBe(25);
    const page = await exchange(h, 'GET', objectsUrl(c), { Authorization: h.accounts.reader.auth });
    expect((JSON.parse(page.bytes.toString()) as EnvelopeBody).objects).toHaveLength(25);
  });

  it('§4.2.1 a decompression bomb (10 MB of zeros in ~10 KB of gzip) is refused with 413 by its decoded size, and nothing is stored', async () => {
    const c = await freshCollection(h);
    const bomb = zlib.gzipSync(Buffer.alloc(10 * 1000 * 1000));
    expect(bomb.length).toBeLessThan(LIMIT / 10);
    const r = await postCoded(c, 'gzip', bomb);
    expect(r.status).toBe(413);
    expect((JSON.parse(r.bytes.toString()) as ErrorBody).description).toContain(String(LIMIT));
    const page = await exchange(h, 'GET', objectsUrl(c), { Authorization: h.accounts.reader.auth });
    expect(JSON.parse(page.bytes.toString())).toEqual({ more: false });
    // The server goes on answering.
    expect((await postCoded(c, 'gzip', zlib.gzipSync(envelopeOf(1, 1)))).status).toBe(202);
  });

  it('§4.2.1 a gzip body that decodes to just under max_content_length is accepted', async () => {
    const c = await freshCollection(h);
    const objects = envelopeOf(1, 1);
    const padded = Buffer.concat([objects, Buffer.alloc(LIMIT - objects.length - 1, 0x20)]);
    const r = await postCoded(c, 'gzip', zlib.gzipSync(padded));
    expect(r.status).toBe(202);
  });

  it('a body that is not the gzip it claims to be is a 400, and nothing is stored', async () => {
    const c = await freshCollection(h);
    const r = await postCoded(c, 'gzip', envelopeOf(1, 3));
    expect(r.status).toBe(400);
    expect((JSON.parse(r.bytes.toString()) as ErrorBody).title).toBe('Malformed body');
  });

  it.each(['br', 'compress', 'zstd', 'gzip, gzip'])(
    'RFC 9110 §15.5.16 Content-Encoding: %s is 415 (not 400), before credentials are looked at',
    async (coding) => {
      const c = await freshCollection(h);
      for (const auth of [h.accounts.writer.auth, 'Bearer wrong']) {
        const r = await postCoded(c, coding, envelopeOf(1, 1), auth);
        expect(r.status).toBe(415);
        expect(r.headers['content-type']).toBe(TAXII);
        expect((JSON.parse(r.bytes.toString()) as ErrorBody).http_status).toBe('415');
      }
    },
  );
});
