import type { Response } from 'express';
import { codingFor, encode } from './compression';
import { TAXII_MEDIA_TYPE } from './media';

/**
 * A response body: text, bytes, or bytes in parts that go out one after the other. Parts
 * let a page of objects go out as the store produced it, between its envelope's head and
 * tail, instead of being copied into one buffer first: a 1,000-object page is ~1 MB, and
 * each copy of it is memory the server holds until the garbage collector frees it.
 */
export type Body = string | Buffer | readonly Buffer[];

const sizeOf = (body: Body): number =>
  typeof body === 'string' ? Buffer.byteLength(body) : Buffer.isBuffer(body) ? body.length : body.reduce((n, part) => n + part.length, 0);

/** Writes the body and ends the response; Content-Length is already set. */
function writeBody(res: Response, body: Body): void {
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    res.end(body);
    return;
  }
  // Corked, the parts leave in one writev, as one buffer would.
  res.cork();
  for (const part of body.slice(0, -1)) res.write(part);
  res.end(body[body.length - 1]);
}

/**
 * Every TAXII response, errors and empty pages included, carries the TAXII 2.1 media type.
 * The body goes out compressed when the client negotiated a coding and it is large enough
 * (src/http/compression.ts); otherwise at once, as is.
 */
export function sendTaxii(res: Response, status: number, body: Body, headers?: Record<string, string>): void {
  res.status(status);
  res.setHeader('Content-Type', TAXII_MEDIA_TYPE);
  if (headers) for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  // Content-Length set here, not left to Node: a HEAD answer (no body sent) then carries
  // the same headers as the GET it stands for (RFC 9110 §9.3.2).
  const finish = (b: Body) => {
    res.setHeader('Content-Length', sizeOf(b));
    writeBody(res, b);
  };
  const coding = codingFor(res, sizeOf(body));
  if (coding === undefined) return finish(body);
  const whole = typeof body === 'string' ? Buffer.from(body) : Buffer.isBuffer(body) ? body : Buffer.concat(body);
  encode(res, coding, whole).then(
    (bytes) => finish(bytes),
    // zlib refusing an in-memory buffer is not expected; the body as is is always right.
    () => finish(body),
  );
}

export function sendTaxiiJson(res: Response, status: number, value: unknown, headers?: Record<string, string>): void {
  sendTaxii(res, status, JSON.stringify(value), headers);
}
