/**
 * Issue 12 §11: one request cannot stall the server. TAXII 2.1 §5.5 Add Objects with an
 * envelope of many empty objects: past `maxObjectsPerEnvelope` it is refused (400: the body is within max_content_length, so not 413) before
 * its objects are built; at the bound the status (§4.3.1) lists failures compactly, so its
 * size and the stored status stay bounded; other clients are served while it is validated.
 */
import http from 'node:http';
import pino from 'pino';
import request from 'supertest';
import { loadConfig } from '../../src/config/config';
import { scanJson } from '../../src/taxii/json-depth';
import { startServer } from '../../src/server';
import { FAILURE_BOUNDS, compactFailures } from '../../src/taxii/failures';
import { createHarness, indicator, TAXII, type Harness } from '../support/harness';
import { objectsUrl, post, statusUrl, taxii } from './wire';

const empties = (n: number) => `{"objects":[${Array.from({ length: n }, () => '{}').join(',')}]}`;

describe('issue 12 §11 — TAXII 2.1 §5.5 an envelope of many empty objects cannot stall the server', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ config: { maxObjectsPerEnvelope: 3000 }, maxContentLength: 1 << 20 });
  });
  afterAll(() => h.close());

  it('TAXII 2.1 §4.2.1 — one object more than maxObjectsPerEnvelope in a body within max_content_length: 400 (never 413) naming the bound, nothing stored', async () => {
    const body = taxii(await post(h, objectsUrl(h.collections.alpha), empties(3001)), 400, 'error');
    expect(body.title).toBe('Too many objects');
    expect(body.description).toContain('3000');
    expect(
      (await h.store.queryManifest({ collectionId: h.collections.alpha.id, versions: { all: true, first: false, last: false, at: [] }, limit: 10 }))
        .records,
    ).toEqual([]);
  });

  it('at the bound: 202, every failure counted, the first listed in full and the rest grouped; the stored status is the same small one', async () => {
    const res = await post(h, objectsUrl(h.collections.alpha), empties(3000));
    const status = taxii(res, 202, 'status');
    expect(status.failure_count).toBe(3000);
    expect(status.total_count).toBe(3000);
    const failures = status.failures ?? [];
    expect(failures.length).toBeLessThanOrEqual(FAILURE_BOUNDS.detailed + FAILURE_BOUNDS.reasons + 1);
    expect(failures[0]?.id).toBe('objects[0]');
    expect(failures[failures.length - 1]?.message).toMatch(/^objects\[1000\] and 1999 more objects \(not listed one by one\): /);
    // A status of 3,000 messages would be several hundred KB.
    expect(res.text.length).toBeLessThan(300_000);
    const stored = taxii(
      await request(h.app).get(statusUrl('api1', status.id)).set('Accept', TAXII).set('Authorization', h.accounts.writer.auth),
      200,
      'status',
    );
    expect(stored).toEqual(status);
  });

  it('envelope members are counted on the bytes, strings and nested arrays aside', () => {
    expect(scanJson(Buffer.from(empties(5))).members).toBe(5);
    expect(scanJson(Buffer.from('{"objects":[]}')).members).toBe(0);
    expect(scanJson(Buffer.from('{"objects":[ {"a":[1,2,3],"b":"x,y,{"} , 7 ]}')).members).toBe(2);
  });

  it('grouping keeps distinct reasons apart and counts every failure once', () => {
    const failures = Array.from({ length: 1500 }, (_, i) => ({ id: `objects[${i}]`, message: `objects[${i}]: ${i % 2 ? 'odd' : 'even'}` }));
    const compact = compactFailures(failures);
    expect(compact.slice(1000).map((f) => f.message)).toEqual([
      'objects[1000] and 249 more objects (not listed one by one): even',
      'objects[1001] and 249 more objects (not listed one by one): odd',
    ]);
  });

  it('other clients are served while a large envelope is being validated', async () => {
    // The harness's store, which the harness (not the server) closes at the end.
    const store = Object.create(h.store, { close: { value: () => Promise.resolve() } }) as Harness['store'];
    const server = await startServer(
      loadConfig({ env: {}, overrides: { port: 0, logLevel: 'silent' } }),
      store,
      pino({ level: 'silent' }),
      h.clock.read,
    );
    try {
      const discovery = () => fetch(`${server.url}/taxii2/`, { headers: { Accept: TAXII, Authorization: h.accounts.reader.auth } });
      // Sign the reader in once, so the request below waits for no password check.
      expect((await discovery()).status).toBe(200);
      // As many objects as this server takes in one envelope: validating them takes many event-loop slices.
      const objects = Array.from({ length: 3000 }, (_, i) => indicator(100_000 + i));
      const url = new URL(`${server.url}${objectsUrl(h.collections.beta)}`);
      const order: string[] = [];
      let sent!: () => void;
      const bodySent = new Promise<void>((resolve) => (sent = resolve));
      const big = new Promise<number>((resolve, reject) => {
        const req = http.request(
          url,
          { method: 'POST', headers: { Authorization: h.accounts.writer.auth, 'Content-Type': TAXII, Accept: TAXII } },
          (res) => {
            res.resume();
            res.on('end', () => {
              order.push('envelope');
              resolve(res.statusCode ?? 0);
            });
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify({ objects }), sent);
      });
      // Once the whole envelope is in the server's hands, ask for something small.
      await bodySent;
      const small = await discovery();
      order.push('discovery');
      expect(small.status).toBe(200);
      expect(await big).toBe(202);
      expect(order).toEqual(['discovery', 'envelope']);
    } finally {
      await server.close();
    }
  });
});
