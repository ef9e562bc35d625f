/**
 * Issue 15 (memory): a page of objects leaves the server as the store produced it, between its
 * envelope's head and tail, instead of being copied into one buffer first. The bytes, the
 * Content-Length and the HEAD headers are those of one buffer; with compression negotiated
 * the parts are compressed as one body.
 */
import { once } from 'node:events';
import { get, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import express, { type Response } from 'express';
import request from 'supertest';
import { negotiateCoding } from '../../src/http/compression';
import { sendTaxii } from '../../src/http/respond';

const HEAD = Buffer.from('{"more":false,"objects":[');
// Large enough to pass the compression threshold, and with multi-byte UTF-8 in it.
const PAGE = Buffer.from(Array.from({ length: 200 }, (_, i) => `{"type":"note","content":"café ${i}"}`).join(','));
const TAIL = Buffer.from(']}');
const WHOLE = Buffer.concat([HEAD, PAGE, TAIL]);

/** An app whose one route answers with the page in parts, recording what it wrote. */
function app(compression: boolean) {
  const written: Buffer[] = [];
  const a = express();
  a.use(negotiateCoding({ enabled: compression, threshold: 1024, gzipLevel: 4, brotliQuality: 5 }));
  a.get('/page', (_req, res: Response) => {
    const write = res.write.bind(res) as (chunk: Buffer) => boolean;
    const end = res.end.bind(res) as (chunk?: Buffer) => Response;
    res.write = ((chunk: Buffer) => (written.push(chunk), write(chunk))) as typeof res.write;
    res.end = ((chunk?: Buffer) => (chunk && written.push(chunk), end(chunk))) as typeof res.end;
    sendTaxii(res, 200, [HEAD, PAGE, TAIL], { 'X-TAXII-Date-Added-Last': '2026-01-01T00:00:00.000000Z' });
  });
  return { app: a, written };
}

const binary = (r: request.Test) =>
  r.buffer(true).parse((res, done) => {
    const chunks: Buffer[] = [];
    res.on('data', (d: Buffer) => chunks.push(d));
    res.on('end', () => done(null, Buffer.concat(chunks)));
  });

describe('issue 15: a page sent in parts (TAXII 2.1 §5.4 Get Objects responses)', () => {
  it('goes out byte for byte as the parts joined, with the Content-Length of the whole', async () => {
    const res = await binary(request(app(false).app).get('/page'));
    expect(res.status).toBe(200);
    expect(res.body as Buffer).toEqual(WHOLE);
    expect(res.headers['content-length']).toBe(String(WHOLE.length));
    expect(res.headers['content-type']).toBe('application/taxii+json;version=2.1');
  });

  it('writes the page buffer it was given, not a copy of the whole body', async () => {
    const { app: a, written } = app(false);
    await binary(request(a).get('/page'));
    expect(written.some((chunk) => chunk === PAGE)).toBe(true);
    expect(written.some((chunk) => chunk.length >= WHOLE.length)).toBe(false);
  });

  it('RFC 9110 §9.3.2: HEAD carries the same Content-Length and headers, and no body', async () => {
    const a = app(false).app;
    const get = await binary(request(a).get('/page'));
    const head = await request(a).head('/page');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String(WHOLE.length));
    expect(head.headers['x-taxii-date-added-last']).toBe(get.headers['x-taxii-date-added-last']);
    expect(head.text ?? '').toBe('');
  });

  it('RFC 9110 §8.4: with gzip negotiated, the parts are compressed as one body, Content-Length the compressed size', async () => {
    // node:http, not supertest, which would decode the body before the test sees it.
    const server = app(true).app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const res = await new Promise<IncomingMessage>((resolve) =>
        get({ port, host: '127.0.0.1', path: '/page', headers: { 'Accept-Encoding': 'gzip' } }, resolve),
      );
      const chunks: Buffer[] = [];
      for await (const chunk of res) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      expect(res.headers['content-encoding']).toBe('gzip');
      expect(res.headers['content-length']).toBe(String(body.length));
      expect(gunzipSync(body)).toEqual(WHOLE);
    } finally {
      server.close();
    }
  });
});
