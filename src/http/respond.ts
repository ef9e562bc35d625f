import type { Response } from 'express';
import { codingFor, encode } from './compression';
import { TAXII_MEDIA_TYPE } from './media';

/**
 * Every TAXII response, errors and empty pages included, carries the TAXII 2.1 media type.
 * The body goes out compressed when the client negotiated a coding and it is large enough
 * (src/http/compression.ts); otherwise at once, as is.
 */
export function sendTaxii(res: Response, status: number, body: string | Buffer, headers?: Record<string, string>): void {
  res.status(status);
  res.setHeader('Content-Type', TAXII_MEDIA_TYPE);
  if (headers) for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  const coding = codingFor(res, typeof body === 'string' ? Buffer.byteLength(body) : body.length);
  if (coding === undefined) return void res.end(body);
  encode(res, coding, typeof body === 'string' ? Buffer.from(body) : body).then(
    (bytes) => res.end(bytes),
    // zlib refusing an in-memory buffer is not expected; the body as is is always right.
    () => res.end(body),
  );
}

export function sendTaxiiJson(res: Response, status: number, value: unknown, headers?: Record<string, string>): void {
  sendTaxii(res, status, JSON.stringify(value), headers);
}
