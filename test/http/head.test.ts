/**
 * Regression (issue 12, item 18): HEAD answers lacked Content-Length and were logged as
 * deliveries of the objects a GET would have returned. A HEAD answer now carries exactly the
 * headers of the GET it stands for (RFC 9110 §9.3.2), Content-Length included, and is logged
 * as `*.head` without any delivered versions, so delivery summaries do not count it.
 */
import request from 'supertest';
import type { CollectionRecord } from '../../src/catalog/types';
import { createHarness, indicator, TAXII, type Harness } from '../support/harness';
import { add, manifestUrl, objectsUrl, objectUrl, statusUrl, versionsUrl } from './wire';

/** Headers that legitimately differ between two requests. */
const VARYING = ['date', 'x-request-id', 'connection'];
const comparable = (headers: Record<string, string>) => Object.fromEntries(Object.entries(headers).filter(([k]) => !VARYING.includes(k)));

describe('RFC 9110 §9.3.2 HEAD on TAXII endpoints: the GET headers, no body, not a delivery', () => {
  let h: Harness;
  let c: CollectionRecord;
  let statusId: string;
  const ID = indicator(1).id as string;
  beforeAll(async () => {
    h = await createHarness();
    c = h.collections.alpha;
    statusId = (await add(h, c, [indicator(1), indicator(2)])).id;
  });
  afterAll(() => h.close());

  const send = (method: 'get' | 'head', url: string, encoding?: string) => {
    const r = request(h.app)[method](url).set('Authorization', h.accounts.writer.auth).set('Accept', TAXII);
    return encoding ? r.set('Accept-Encoding', encoding) : r;
  };

  it.each([
    ['Get Objects (§5.4)', () => objectsUrl(c)],
    ['Get Object Manifests (§5.3)', () => manifestUrl(c)],
    ['Get An Object (§5.6)', () => objectUrl(c, ID)],
    ['Get Object Versions (§5.8)', () => versionsUrl(c, ID)],
    ['Get Status (§4.3)', () => statusUrl('api1', statusId)],
    ['Get Collections (§5.1)', () => '/api1/collections/'],
  ])('%s: HEAD has the same status and headers as GET, Content-Length included, and no body', async (_name, url) => {
    const get = await send('get', url());
    const head = await send('head', url());
    expect(get.status).toBe(200);
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String(Buffer.byteLength(get.text)));
    expect(comparable(head.headers)).toEqual(comparable(get.headers));
    expect(head.text ?? '').toBe('');
  });

  it('with compression negotiated, HEAD gives the compressed length and coding the GET sends', async () => {
    // Enough objects for the page to pass the compression threshold.
    await add(
      h,
      c,
      Array.from({ length: 40 }, (_, i) => indicator(100 + i)),
    );
    const get = await send('get', objectsUrl(c), 'gzip')
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
    const head = await send('head', objectsUrl(c), 'gzip');
    expect(get.headers['content-encoding']).toBe('gzip');
    expect(comparable(head.headers)).toEqual(comparable(get.headers));
  });

  it('a HEAD is logged as objects.head, without delivered versions; the GET as objects.read with them; summaries count only the GET', async () => {
    const before = await h.store.summarizeAudit('party');
    const get = await send('get', objectsUrl(c));
    const head = await send('head', objectsUrl(c));
    await h.ctx.audit.flush();
    const events = (await h.store.queryAuditEvents({ limit: 1000 })).records;
    const ofGet = events.find((e) => e.request_id === get.headers['x-request-id']);
    const ofHead = events.find((e) => e.request_id === head.headers['x-request-id']);
    expect(ofGet).toMatchObject({ action: 'objects.read', method: 'GET', objects: expect.arrayContaining([expect.objectContaining({ id: ID })]) });
    expect(ofHead).toMatchObject({ action: 'objects.head', method: 'HEAD', outcome: 'success' });
    expect(ofHead?.objects).toBeUndefined();
    const after = await h.store.summarizeAudit('party');
    const requests = (rows: typeof before) => rows.reduce((n, r) => n + r.requests, 0);
    expect(requests(after) - requests(before)).toBe(1);
  });
});
